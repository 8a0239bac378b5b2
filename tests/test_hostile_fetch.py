"""`etablering data fetch` against a misbehaving Kolada on 127.0.0.1 (issue 9, items 3 and 4):
wrong answers are refused before they are cached or stored, nothing good is ever deleted,
and every request, the run, the pages and the bytes are bounded."""

import json
import shutil
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest
from local_server import QuietServer

from etablering.data import store
from etablering.data.fetch import fetch_kolada
from etablering.data.kolada import (
    CACHE_FORMAT,
    KoladaBadResponseError,
    KoladaClient,
    KoladaError,
    KoladaLimitError,
)
from etablering.run.cli import main


class Hostile:
    """A server whose answer is a function of (path, query, page number) -> (status, bytes) or
    a callable that writes the response itself (to trickle or to flood)."""

    def __init__(self):
        self.answer = lambda path, query, page: (200, b"{}")
        self.requests = 0
        hostile = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                hostile.requests += 1
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                page = int(query.get("page", ["1"])[0])
                result = hostile.answer(parts.path, query, page)
                if callable(result):
                    result(self)
                    return
                status, body = result
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v3/"


@pytest.fixture
def hostile(serve):
    server = Hostile()
    serve(server.httpd)
    return server


@pytest.fixture
def data_dir(processed, tmp_path):
    target = tmp_path / "processed"
    shutil.copytree(processed, target)
    return target


def _page(rows, next_url=None) -> bytes:
    return json.dumps({"count": len(rows), "next_url": next_url, "values": rows}).encode()


def _row(kpi="N01986", area="0680", year=2018, value=494, count=1, gender="T"):
    return {
        "kpi": kpi,
        "municipality": area,
        "period": year,
        "values": [{"gender": gender, "count": count, "status": "", "value": value}],
    }


def _client(server, **kw):
    kw.setdefault("timeout", 2)
    return KoladaClient(server.base_url, sleep=lambda s: None, retries=0, **kw)


def _fetch(server, data_dir, kpis=("N01986",), **kw):
    return fetch_kolada(
        list(kpis),
        years=[2018],
        data_dir=data_dir,
        client=_client(server, **kw),
        log=lambda *a: None,
    )


def _tables(data_dir):
    return {p.name: p.read_bytes() for p in sorted(data_dir.iterdir()) if p.is_file()}


def _api_rows(data_dir):
    values = store.read_table("kpi_values", data_dir)
    return values[values["origin"] == "kolada_api"]


# --- item 3: wrong answers never reach the cache or the tables ---------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_page([_row(kpi="N99999")]), "nyckeltal som inte efterfrågades (N99999"),
        (_page([_row(year=1999)]), "år som inte efterfrågades (1999"),
        (
            b'{"next_url": null, "values": [{"kpi": "N01986", "municipality": "0680", "period": 2018,'
            b' "values": [{"gender": "T", "value": 1e999}]}]}',
            "inget ändligt tal",
        ),
        (
            b'{"next_url": null, "values": [{"kpi": "N01986", "municipality": "0680", "period": 2018,'
            b' "values": [{"gender": "T", "value": NaN}]}]}',
            "ogiltig JSON",
        ),
        (_page([_row(count=-3)]), "negativt antal"),
        (_page([_row(value=True)]), "inget tal"),
        (_page([_row(area="9999")]), "områden som inte finns i kommunlistan (9999"),
        (_page([_row(area="0680", gender="X")]), "okänt kön"),
        (_page([_row()], next_url="http://evil.example/v3/data?page=2"), "annan server"),
    ],
    ids=[
        "wrong-kpi",
        "wrong-year",
        "1e999",
        "NaN",
        "negative-count",
        "bool",
        "unknown-area",
        "bad-gender",
        "foreign-next-url",
    ],
)
def test_a_wrong_answer_is_refused_and_changes_nothing(hostile, data_dir, tmp_path, body, message):
    hostile.answer = lambda path, query, page: (200, body)
    before = _tables(data_dir)
    cache = tmp_path / "cache"
    with pytest.raises(KoladaError) as exc:
        _fetch(hostile, data_dir, cache_dir=cache)
    assert message in str(exc.value)
    assert _tables(data_dir) == before
    assert not list(cache.glob("*.json")), "a refused page was cached"


def test_a_refused_page_does_not_poison_later_fetches(hostile, data_dir, tmp_path):
    cache = tmp_path / "cache"
    hostile.answer = lambda path, query, page: (200, _page([_row(kpi="N99999")]))
    with pytest.raises(KoladaBadResponseError):
        _fetch(hostile, data_dir, cache_dir=cache)
    hostile.answer = lambda path, query, page: (200, _page([_row(value=494)]))
    _fetch(hostile, data_dir, cache_dir=cache)
    assert _api_rows(data_dir).set_index("area_code").loc["0680", "value"] == 494


def test_a_poisoned_or_old_cache_entry_is_fetched_again(hostile, data_dir, tmp_path):
    cache = tmp_path / "cache"
    hostile.answer = lambda path, query, page: (200, _page([_row(value=494)]))
    _fetch(hostile, data_dir, cache_dir=cache)
    for entry in cache.glob("*.json"):  # one per batch of areas
        stored = json.loads(entry.read_text())
        assert stored["format"] == CACHE_FORMAT and "kpi_id=N01986" in stored["url"]
        stored["page"]["values"][0]["kpi"] = "N99999"  # a page poisoned on disk
        entry.write_text(json.dumps(stored))
    requests = hostile.requests  # one per batch of areas
    _fetch(hostile, data_dir, cache_dir=cache)
    assert hostile.requests == 2 * requests  # the poisoned entry was not used: asked again
    _fetch(hostile, data_dir, cache_dir=cache)
    assert hostile.requests == 2 * requests  # the fresh entries were
    hostile.answer = lambda path, query, page: (200, _page([_row(value=500)]))
    _fetch(hostile, data_dir, cache_dir=cache, cache_max_age=0)  # expired at once
    assert hostile.requests == 3 * requests
    assert _api_rows(data_dir).set_index("area_code").loc["0680", "value"] == 500


def test_the_cache_key_is_the_query(hostile, data_dir, tmp_path):
    cache = tmp_path / "cache"
    hostile.answer = lambda path, query, page: (
        200,
        _page([_row(kpi=k, value=7) for k in query["kpi_id"][0].split(",")]),
    )
    _fetch(hostile, data_dir, kpis=("N01986",), cache_dir=cache)
    per_query = hostile.requests  # one per batch of areas
    _fetch(hostile, data_dir, kpis=("N01987",), cache_dir=cache)
    assert hostile.requests == 2 * per_query  # another query, other entries
    _fetch(hostile, data_dir, kpis=("N01986",), cache_dir=cache)
    assert hostile.requests == 2 * per_query  # the same query, from the cache
    assert len(list(cache.glob("*.json"))) == 2 * per_query


def test_an_empty_answer_keeps_what_was_fetched_and_says_so(hostile, data_dir, monkeypatch, capsys):
    rows = [_row(area=a, value=100 + i) for i, a in enumerate(["0680", "0114", "0180", "1280"])]
    hostile.answer = lambda path, query, page: (200, _page(rows))
    _fetch(hostile, data_dir)
    assert len(_api_rows(data_dir)) == 4
    hostile.answer = lambda path, query, page: (200, _page([]))
    before = _tables(data_dir)
    monkeypatch.setenv("ETABLERING_DATA", str(data_dir))
    monkeypatch.setenv("ETABLERING_CACHE", str(data_dir.parent / "cache"))
    code = main(
        ["data", "fetch", "--kpi", "N01986", "--years", "2018", "--base-url", hostile.base_url]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "returnerade inga värden" in err and "Inget ändrades" in err and "Traceback" not in err
    assert _tables(data_dir) == before and len(_api_rows(data_dir)) == 4


def test_a_partial_answer_deletes_nothing_it_does_not_replace(hostile, data_dir):
    rows = [_row(area=a, value=100 + i) for i, a in enumerate(["0680", "0114", "0180", "1280"])]
    hostile.answer = lambda path, query, page: (200, _page(rows))
    _fetch(hostile, data_dir)
    hostile.answer = lambda path, query, page: (200, _page([_row(area="0680", value=1)]))
    _fetch(hostile, data_dir)
    api = _api_rows(data_dir).set_index("area_code")["value"]
    assert api.to_dict() == {"0114": 101.0, "0180": 102.0, "0680": 1.0, "1280": 103.0}


def test_a_share_outside_0_100_is_flagged_not_stored(hostile, data_dir):
    hostile.answer = lambda path, query, page: (200, _page([_row(kpi="N00973", value=140.0)]))
    _fetch(hostile, data_dir, kpis=("N00973",))
    assert _api_rows(data_dir).query("kpi == 'N00973'").empty
    flags = store.read_table("kpi_flags", data_dir)
    flagged = flags[(flags["origin"] == "kolada_api") & (flags["kpi"] == "N00973")]
    assert len(flagged) == 1 and "utanför" in flagged["detail"].iloc[0]


# --- item 4: bounded time, pages and bytes ---------------------------------------------------------


def test_a_trickling_server_is_cut_off_at_the_request_deadline(hostile, data_dir):
    def trickle(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        try:
            for _ in range(1000):
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass

    hostile.answer = lambda path, query, page: trickle
    started = time.monotonic()
    with pytest.raises(KoladaLimitError, match="för långsamt"):
        _fetch(hostile, data_dir, timeout=1, request_deadline=1.5)
    assert time.monotonic() - started < 5


def test_a_new_next_url_on_every_page_is_stopped(hostile, data_dir):
    hostile.answer = lambda path, query, page: (
        200,
        _page([_row()], next_url=f"{hostile.base_url}data?kpi_id=N01986&year=2018&page={page + 1}"),
    )
    before = _tables(data_dir)
    with pytest.raises(KoladaLimitError, match="över 200 sidor"):
        _fetch(hostile, data_dir)
    assert hostile.requests == 200
    assert _tables(data_dir) == before


def test_the_whole_fetch_has_a_deadline_and_a_request_budget(hostile, data_dir):
    def slow(path, query, page):
        time.sleep(0.3)
        return 200, _page(
            [_row()], next_url=f"{hostile.base_url}data?kpi_id=N01986&year=2018&page={page + 1}"
        )

    hostile.answer = slow
    started = time.monotonic()
    with pytest.raises(KoladaLimitError, match="pågått i över 1 s"):
        _fetch(hostile, data_dir, run_deadline=1)
    assert time.monotonic() - started < 5
    hostile.answer = lambda path, query, page: (
        200,
        _page([_row()], next_url=f"{hostile.base_url}data?kpi_id=N01986&year=2018&page={page + 1}"),
    )
    with pytest.raises(KoladaLimitError, match="över 5 förfrågningar"):
        _fetch(hostile, data_dir, max_requests=5)


def test_a_huge_page_is_refused_by_its_declared_length(hostile, data_dir, tmp_path):
    def declared(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(3 * 2**30))
        handler.end_headers()

    hostile.answer = lambda path, query, page: declared
    with pytest.raises(KoladaLimitError, match="över 64 MB"):
        _fetch(hostile, data_dir, cache_dir=tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*"))


def test_a_flood_without_a_length_is_cut_at_the_size_bound(hostile, data_dir, tmp_path):
    def flood(handler):
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        block = b"[" * 65536
        try:
            for _ in range(10_000):  # 640 MB if nobody stops reading
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
        except OSError:
            pass

    hostile.answer = lambda path, query, page: flood
    started = time.monotonic()
    with pytest.raises(KoladaLimitError, match="över 2 MB"):
        _fetch(hostile, data_dir, cache_dir=tmp_path / "cache", max_page_bytes=2 * 2**20)
    assert time.monotonic() - started < 10
    assert not list((tmp_path / "cache").glob("*"))


def test_all_pages_together_are_bounded(hostile, data_dir):
    def pages(path, query, page):
        rows = [_row(area="0680", value=v) for v in range(1500)]
        nxt = f"{hostile.base_url}data?kpi_id=N01986&year=2018&page={page + 1}"
        return 200, _page(rows, next_url=nxt)

    hostile.answer = pages
    with pytest.raises(KoladaLimitError, match="MB hämtat i en hämtning"):
        _fetch(hostile, data_dir, max_total_bytes=1 * 2**20)


def test_the_cache_is_kept_under_its_bound(hostile, data_dir, tmp_path):
    cache = tmp_path / "cache"

    def answer(path, query, page):
        return 200, _page([_row(kpi=k, value=7) for k in query["kpi_id"][0].split(",")])

    hostile.answer = answer
    for kpi in ("N01986", "N01987", "N01951", "N02006"):
        _fetch(hostile, data_dir, kpis=(kpi,), cache_dir=cache, cache_max_bytes=600)
    total = sum(p.stat().st_size for p in cache.glob("*.json"))
    assert 0 < total <= 600


def test_a_non_http_base_url_is_refused():
    with pytest.raises(KoladaError, match="ingen http- eller https-adress"):
        KoladaClient("ftp://example.se/v3/")
