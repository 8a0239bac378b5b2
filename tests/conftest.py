"""Shared fixtures: the real offline snapshot imported once per test session."""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from etablering.core import paths
from etablering.data.importer import import_dir
from etablering.data.registry import Registry

RAW = paths.raw_dir()
FIXTURES = Path(__file__).parent / "fixtures" / "kolada"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    assert RAW.is_dir(), f"the project's snapshot {RAW} is missing"
    return RAW


@pytest.fixture(scope="session")
def processed(raw_dir, tmp_path_factory) -> Path:
    """The snapshot imported into a private data dir; notebooks find it through ETABLERING_DATA."""
    target = tmp_path_factory.mktemp("data") / "processed"
    import_dir(raw_dir, target, log=lambda *_: None)
    os.environ["ETABLERING_DATA"] = str(target)
    return target


@pytest.fixture(scope="session")
def registry(processed) -> Registry:
    return Registry.load(processed)


class FakeKolada:
    """A local stand-in for Kolada on 127.0.0.1. Programmerbar server: routes["/v3/data"] = [svar, svar, ...]; sista svaret upprepas.

    Ett svar är (status, body) där body är ett fixturfilnamn, en dict eller None.
    Nyckeln får "?page=N" när förfrågan har page-parametern.
    """

    def __init__(self) -> None:
        self.routes: dict[str, list[tuple[int, object]]] = {}
        self.requests: list[tuple[str, str]] = []  # (path, rå query)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server-namn)
                parts = urlsplit(self.path)
                fake.requests.append((parts.path, parts.query))
                page = parse_qs(parts.query).get("page")
                key = parts.path + (f"?page={page[0]}" if page else "")
                queue = fake.routes.get(key) or [(404, {"error": f"no route {key}"})]
                status, body = queue.pop(0) if len(queue) > 1 else queue[0]
                if isinstance(body, str):
                    text = (FIXTURES / body).read_text(encoding="utf-8")
                    payload = text.replace("{base}", fake.base_url).encode()
                else:
                    payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:  # tyst i testutskriften
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v3/"

    def queries(self) -> list[dict[str, list[str]]]:
        return [parse_qs(q) for _, q in self.requests]


@pytest.fixture
def server():
    fake = FakeKolada()
    thread = threading.Thread(target=fake.httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield fake
    fake.httpd.shutdown()
    fake.httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def kolada_rows():
    """Rows as `etablering data fetch` stores them: kolada_rows(("N01986", "0680", 2018, 494.0), ...)."""
    import pandas as pd

    def make(*values):
        return pd.DataFrame(
            [
                {
                    "kpi": kpi,
                    "area_code": area,
                    "year": year,
                    "gender": "T",
                    "value": value,
                    "count": 1.0,
                    "status": "",
                    "origin": "kolada_api",
                    "retrieved": "2026-11-28T08:00:00Z",
                    "source_file": "",
                }
                for kpi, area, year, value in values
            ]
        )

    return make
