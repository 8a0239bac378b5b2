"""`etablering data fetch` against a local Kolada stand-in: values land in the processed tables."""

import shutil

import pytest

from etablering import store
from etablering.cli import main
from etablering.fetch import fetch_kolada
from etablering.kolada import KoladaClient, KoladaOfflineError


@pytest.fixture
def data_dir(processed, tmp_path):
    target = tmp_path / "processed"
    shutil.copytree(processed, target)
    return target


def _client(server, **kw):
    return KoladaClient(server.base_url, sleep=lambda s: None, retries=1, timeout=5, **kw)


def _fetch_reception(server, data_dir):
    fetch_kolada(
        ["N01951", "N01986", "N01987", "N02006"],
        data_dir=data_dir,
        client=_client(server),
        log=lambda *a: None,
    )


def _serve_pages(server):
    server.routes["/v3/data"] = [(200, "data_page1.json")]
    server.routes["/v3/data?page=2"] = [(200, "data_page2.json")]


def test_fetch_merges_kpi_values_and_fills_population_gaps(server, data_dir):
    _serve_pages(server)
    before = store.read_table("kpi_values", data_dir)
    _fetch_reception(server, data_dir)
    kpi = store.read_table("kpi_values", data_dir)
    got = kpi[
        (kpi["kpi"] == "N01986")
        & (kpi["area_code"] == "0114")
        & (kpi["year"] == 2017)
        & (kpi["gender"] == "T")
    ]
    assert got["value"].item() == 187 and got["source"].item() == "Kolada"
    # the transcribed Luleå series is still there
    assert len(kpi[kpi["source"].str.contains("transkriberad")]) == len(before)
    pop = store.read_table("population", data_dir).set_index(["area_code", "year"])
    # 2018 was missing in the SCB files and comes from N01951; 2020 stays SCB's figure
    assert pop.loc[("0114", 2018), "population"] == 45_550
    assert pop.loc[("0114", 2018), "source"] == "Kolada (N01951)"
    assert pop.loc[("0114", 2020), "source"] == "SCB"


def test_refetch_replaces_rather_than_duplicates(server, data_dir):
    for _ in range(2):
        _serve_pages(server)
        _fetch_reception(server, data_dir)
    kpi = store.read_table("kpi_values", data_dir)
    assert not kpi.duplicated(["kpi", "area_code", "year", "gender", "source"]).any()


def test_without_areas_table_the_area_list_comes_from_kolada(server, tmp_path):
    server.routes["/v3/municipality"] = [(200, "municipality.json")]
    _serve_pages(server)
    fetch_kolada(["N01986"], data_dir=tmp_path, client=_client(server), log=lambda *a: None)
    areas = store.read_table("areas", tmp_path).set_index("code")
    assert areas.loc["0114", "kind"] == "kommun" and areas.loc["0012", "lan_code"] == "12"
    assert areas.loc["0000", "kind"] == "riket"


def test_offline_fetch_names_the_offline_way(data_dir):
    client = KoladaClient("http://127.0.0.1:9/v3/", sleep=lambda s: None, retries=1, timeout=2)
    with pytest.raises(KoladaOfflineError, match="etablering data import"):
        fetch_kolada(["N01986"], data_dir=data_dir, client=client, log=lambda *a: None)
    assert store.read_table("kpi_values", data_dir) is not None  # nothing lost


def test_gone_api_through_the_cli_exits_1(server, data_dir, monkeypatch, capsys):
    monkeypatch.setenv("ETABLERING_DATA", str(data_dir))
    monkeypatch.setenv("ETABLERING_CACHE", str(data_dir / "cache"))
    server.routes["/v3/data"] = [(410, {"message": "Gone"})]
    assert main(["data", "fetch", "--kpi", "N01986", "--base-url", server.base_url]) == 1
    assert "410" in capsys.readouterr().err


def test_unknown_kpi_id_is_refused_before_any_request(data_dir, monkeypatch, capsys):
    monkeypatch.setenv("ETABLERING_DATA", str(data_dir))
    assert main(["data", "fetch", "--kpi", "N99999", "--base-url", "http://127.0.0.1:9/v3/"]) == 2
    assert "N99999" in capsys.readouterr().err
