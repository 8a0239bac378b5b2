"""Tester för Kolada-klienten mot en lokal HTTP-server (inget internet)."""

from __future__ import annotations

import json
import math
import re
import socket
from pathlib import Path
from urllib.parse import parse_qs

import pandas as pd
import pytest

from etablering.data.kolada import KoladaClient, KoladaError, KoladaGoneError, KoladaOfflineError

FIXTURES = Path(__file__).parent / "fixtures" / "kolada"
KPIS = ["N01951", "N01986", "N01987", "N02006"]


class SleepRecorder:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def client_for(server, **kw) -> KoladaClient:
    kw.setdefault("sleep", SleepRecorder())
    kw.setdefault("timeout", 5)
    return KoladaClient(server.base_url, **kw)


def value_at(df: pd.DataFrame, kpi: str, area: str, year: int, gender: str) -> pd.Series:
    hit = df[(df.kpi == kpi) & (df.area_code == area) & (df.year == year) & (df.gender == gender)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_paging_follows_next_url_and_returns_all_rows(server):
    server.routes["/v3/data"] = [(200, "data_page1.json")]
    server.routes["/v3/data?page=2"] = [(200, "data_page2.json")]

    df = client_for(server).fetch_values(KPIS, ["0114", "0180"], [2017, 2018])

    assert [p for p, _ in server.requests] == ["/v3/data", "/v3/data"]
    assert server.queries()[1]["page"] == ["2"]
    # 4 kpi × 2 kommuner × 2 år × 3 kön, från båda sidorna
    assert len(df) == 48
    assert set(df.kpi) == set(KPIS)
    row = value_at(df, "N01986", "0114", 2017, "T")
    assert row.value == 187.0 and row["count"] == 1.0 and row.status == ""
    assert value_at(df, "N02006", "0180", 2018, "K").value == pytest.approx(1.4)
    assert value_at(df, "N01951", "0180", 2018, "T").value == 962154.0


def test_relative_next_url(server):
    page1 = json.loads((FIXTURES / "data_flat.json").read_text(encoding="utf-8"))
    page1["values"] = page1["values"][:1]
    page1["next_url"] = "data?kpi_id=N01951&per_page=5000&page=2"
    page2 = json.loads((FIXTURES / "data_flat.json").read_text(encoding="utf-8"))
    page2["values"] = page2["values"][1:2]
    server.routes["/v3/data"] = [(200, page1)]
    server.routes["/v3/data?page=2"] = [(200, page2)]

    df = client_for(server).fetch_values(["N01951"], years=[2018])

    assert list(df.area_code) == ["0000", "0012"]


def test_output_columns_dtypes_and_sorting(server):
    server.routes["/v3/data"] = [(200, "data_page1.json")]
    server.routes["/v3/data?page=2"] = [(200, "data_page2.json")]

    df = client_for(server).fetch_values(KPIS, ["0114", "0180"], [2017, 2018])

    assert list(df.columns) == [
        "kpi",
        "area_code",
        "year",
        "gender",
        "value",
        "count",
        "status",
        "origin",
        "retrieved",
        "source_file",
    ]
    for col in ["kpi", "area_code", "gender", "status", "origin", "retrieved"]:
        assert pd.api.types.is_string_dtype(df[col]), col
        assert all(isinstance(x, str) for x in df[col]), col
    assert df.year.dtype == "int64"
    assert df.value.dtype == "float64" and df["count"].dtype == "float64"
    assert set(df.gender) == {"T", "K", "M"}
    assert set(df.origin) == {"kolada_api"}
    assert pd.Timestamp(df.retrieved.iloc[0]).tzinfo is not None
    keys = ["kpi", "area_code", "year", "gender"]
    assert df.equals(df.sort_values(keys).reset_index(drop=True))
    assert not df.duplicated(keys).any()


@pytest.mark.parametrize("status", [500, 503, 429])
def test_retries_transient_error_with_backoff(server, status):
    server.routes["/v3/data"] = [(status, {"error": "busy"}), (200, "data_flat.json")]
    sleep = SleepRecorder()

    # data_flat.json answers for N01951 and N01987; a client refuses KPIs it did not ask for
    df = client_for(server, sleep=sleep, backoff=0.5).fetch_values(
        ["N01951", "N01987"], years=[2018]
    )

    assert len(server.requests) == 2
    assert sleep.calls == [0.5]
    assert value_at(df, "N01951", "0000", 2018, "T").value == 10230185.0


def test_persistent_server_error_gives_up_with_status_and_url(server):
    server.routes["/v3/data"] = [(502, {"error": "bad gateway"})]
    sleep = SleepRecorder()

    with pytest.raises(KoladaError) as info:
        client_for(server, sleep=sleep, retries=2, backoff=1).fetch_values(["N01951"])

    assert not isinstance(info.value, KoladaOfflineError)
    assert "502" in str(info.value) and server.base_url in str(info.value)
    assert sleep.calls == [1, 2]
    assert len(server.requests) == 3


def test_410_raises_gone_without_retry(server):
    server.routes["/v3/data"] = [(410, {"message": "Gone"})]
    sleep = SleepRecorder()

    with pytest.raises(KoladaGoneError) as info:
        client_for(server, sleep=sleep).fetch_values(["N01951"])

    msg = str(info.value)
    assert "410" in msg and server.base_url + "data" in msg and "avvecklad" in msg
    assert sleep.calls == [] and len(server.requests) == 1


def test_other_4xx_is_plain_error_without_retry(server):
    server.routes["/v3/data"] = [(400, {"message": "bad request"})]
    sleep = SleepRecorder()

    with pytest.raises(KoladaError) as info:
        client_for(server, sleep=sleep).fetch_values(["N01951"])

    assert type(info.value) is KoladaError
    assert "400" in str(info.value) and server.base_url in str(info.value)
    assert sleep.calls == []


def test_offline_when_nothing_listens():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Porten är stängd nu: anslutningen vägras direkt.
    sleep = SleepRecorder()
    client = KoladaClient(f"http://127.0.0.1:{port}/v3/", sleep=sleep, timeout=2)

    with pytest.raises(KoladaOfflineError) as info:
        client.fetch_values(["N01951"], ["0114"], [2018])

    assert "etablering data import" in str(info.value)
    assert "Kolada" in str(info.value)
    assert sleep.calls == [0.5, 1.0, 2.0, 4.0]


def test_cache_serves_second_identical_fetch_without_http(server, tmp_path):
    server.routes["/v3/data"] = [(200, "data_page1.json")]
    server.routes["/v3/data?page=2"] = [(200, "data_page2.json")]
    cache = tmp_path / "kolada-cache"

    first = client_for(server, cache_dir=cache).fetch_values(KPIS, ["0114", "0180"], [2017, 2018])
    assert len(server.requests) == 2
    # Även en ny klient med samma katalog ska klara sig utan nätet.
    second = client_for(server, cache_dir=cache).fetch_values(KPIS, ["0114", "0180"], [2017, 2018])

    assert len(server.requests) == 2
    pd.testing.assert_frame_equal(first, second)
    assert len(list(cache.glob("*.json"))) == 2
    assert not list(cache.glob("*.tmp"))

    # En annan fråga är en annan nyckel och går till servern.
    server.routes["/v3/data"] = [(200, "data_flat.json")]
    client_for(server, cache_dir=cache).fetch_values(["N01951", "N01987"], years=[2018])
    assert len(server.requests) == 3


def test_query_params_sent(server):
    server.routes["/v3/data"] = [(200, "data_flat.json")]

    client_for(server).fetch_values(["N01951", "N01987"], ["0114", "0180"], [2018])

    ((path, raw),) = server.requests
    q = parse_qs(raw)
    assert path == "/v3/data"
    assert q["kpi_id"] == ["N01951,N01987"]
    assert q["municipality_id"] == ["0114,0180"]
    assert q["year"] == ["2018"]
    assert q["per_page"] == ["5000"]
    assert "municipality" not in q
    assert not re.search(r"(^|&)municipality=", raw)


def test_long_id_lists_are_batched_and_deduplicated(server):
    # the first batch holds the two KPIs data_flat.json answers for; the second gets nothing
    empty = {"count": 0, "values": [], "next_url": None}
    server.routes["/v3/data"] = [(200, "data_flat.json"), (200, empty)]
    kpis = ["N01951", "N01987", *[f"N{n:05d}" for n in range(1, 25)]]  # 26 st → 25 + 1

    df = client_for(server).fetch_values([*kpis, "N01951"], ["0114"], [2018])

    sent = [q["kpi_id"][0].split(",") for q in server.queries()]
    assert [len(b) for b in sent] == [25, 1]
    assert sum(sent, []) == kpis  # the repeated id is asked once
    assert len(df) == 4
    assert not df.duplicated(["kpi", "area_code", "year", "gender"]).any()


def test_leading_zeros_and_missing_status(server):
    server.routes["/v3/data"] = [(200, "data_page1.json")]
    server.routes["/v3/data?page=2"] = [(200, "data_page2.json")]

    df = client_for(server).fetch_values(KPIS, ["0114", "0180"], [2017, 2018])

    assert set(df.area_code) == {"0114", "0180"}
    missing = value_at(df, "N01987", "0114", 2018, "K")
    assert math.isnan(missing.value) and math.isnan(missing["count"])
    assert missing.status == "Missing"
    assert value_at(df, "N01987", "0114", 2018, "T").value == 31.0


def test_flat_rows_and_short_area_codes_are_padded(server):
    server.routes["/v3/data"] = [(200, "data_flat.json")]

    df = client_for(server).fetch_values(["N01951", "N01987"], years=[2018])

    # "0000" riket, "0012" region, 114 (heltal i svaret) → "0114"
    assert list(df.area_code) == ["0000", "0012", "0114", "0114"]
    assert value_at(df, "N01951", "0114", 2018, "T").value == 45550.0
    assert value_at(df, "N01987", "0114", 2018, "K").status == "Missing"


@pytest.mark.parametrize("body", [{"rows": []}, {"values": {"kpi": "N01951"}}, [1, 2]])
def test_malformed_response_names_url(server, body):
    server.routes["/v3/data"] = [(200, body)]

    with pytest.raises(KoladaError) as info:
        client_for(server).fetch_values(["N01951"])

    assert "values" in str(info.value) and server.base_url + "data" in str(info.value)


def test_empty_result_has_schema(server):
    server.routes["/v3/data"] = [(200, {"count": 0, "values": [], "next_url": None})]

    df = client_for(server).fetch_values(["N01951"], ["0114"], [1990])

    assert df.empty and len(df.columns) == 10
    assert df.year.dtype == "int64" and df.value.dtype == "float64"


def test_municipality_metadata(server):
    server.routes["/v3/municipality"] = [(200, "municipality.json")]

    munis = client_for(server).fetch_municipalities()

    assert [m["id"] for m in munis] == ["0000", "0012", "0114", "0180"]
    assert munis[2]["title"] == "Upplands Väsby"
