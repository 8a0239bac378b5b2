"""Shared fixtures: the real offline snapshot imported once per test session."""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from local_server import QuietServer

from etablering.analysis.kefu import Panel, load_params
from etablering.core import paths
from etablering.data import kolada, store
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


@pytest.fixture(scope="session")
def kpi_values(processed):
    """The imported kpi_values table (read once; tests must not change it)."""
    return store.read_table("kpi_values", processed)


@pytest.fixture(scope="session")
def areas(processed):
    """The imported areas table: every kommun, län and riket."""
    return store.read_table("areas", processed)


@pytest.fixture(scope="session")
def params():
    """The cost model's parameters (kefu/params.yaml)."""
    return load_params()


@pytest.fixture(scope="session")
def kefu_panel(processed, kpi_values, params):
    """The cost model's panel built from the imported data."""
    return Panel.build(kpi_values, params, store.read_table("area_groups", processed))


@pytest.fixture
def stand_in_notebook(tmp_path, monkeypatch, processed):
    """stand_in_notebook(text) puts `text` in place of notebook 01 (ETABLERING_NOTEBOOKS) and
    returns its folder: a small stand-in makes a batch's faults and timing certain."""

    def write(text: str) -> Path:
        nb_dir = tmp_path / "notebooks"
        nb_dir.mkdir()
        (nb_dir / "01-mottagande.py").write_text(text, encoding="utf-8")
        monkeypatch.setenv("ETABLERING_NOTEBOOKS", str(nb_dir))
        return nb_dir

    return write


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

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v3/"

    def queries(self) -> list[dict[str, list[str]]]:
        return [parse_qs(q) for _, q in self.requests]


@pytest.fixture
def serve():
    """serve(httpd) runs a local HTTP server on a thread for the test; it is shut down after."""
    running = []

    def start(httpd):
        thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        running.append((httpd, thread))

    yield start
    for httpd, thread in running:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def server(serve):
    fake = FakeKolada()
    serve(fake.httpd)
    return fake


@pytest.fixture
def kolada_rows():
    """Rows as `etablering data fetch` stores them: kolada_rows(("N01986", "0680", 2018, 494.0), ...);
    keywords set the other columns, e.g. origin="kolada_uttag" for a file import."""
    import pandas as pd

    def make(*values, **columns):
        fixed = {
            "gender": "T",
            "count": 1.0,
            "status": "",
            "origin": "kolada_api",
            "retrieved": "2026-11-28T08:00:00Z",
            "source_file": "",
            **columns,
        }
        return pd.DataFrame(
            [
                {"kpi": kpi, "area_code": area, "year": year, "value": value, **fixed}
                for kpi, area, year, value in values
            ],
            columns=kolada.COLUMNS,
        )

    return make
