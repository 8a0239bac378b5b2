"""`etablering data fetch` against a local Kolada stand-in: values land in the processed tables."""

import shutil

import pytest

from etablering.data import panel, store
from etablering.data.fetch import fetch_kolada
from etablering.data.kolada import KoladaClient, KoladaOfflineError
from etablering.run.cli import main


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


def test_fetch_adds_api_rows_beside_the_dump_and_the_newer_wins(server, data_dir):
    _serve_pages(server)
    before = store.read_table("kpi_values", data_dir)
    _fetch_reception(server, data_dir)
    kpi = store.read_table("kpi_values", data_dir)
    got = kpi[
        (kpi["kpi"] == "N01986")
        & (kpi["area_code"] == "0114")
        & (kpi["year"] == 2017)
        & (kpi["gender"] == "T")
    ].set_index("origin")["value"]
    assert got.to_dict() == {"kolada_api": 187.0, "kolada_uttag": 303.0}
    assert panel.series(kpi, "N01986", "0114")[2017] == 187.0  # the newer fetch wins
    # nothing else was touched: the dump and the transcribed series are all still there
    for origin in ("kolada_uttag", "transkriberad"):
        assert (kpi["origin"] == origin).sum() == (before["origin"] == origin).sum()
    pop = panel.load_population(data_dir).set_index(["area_code", "year"])
    # 2018 comes from Kolada's N01951 (the API's, newer than the dump); 2020 stays SCB's figure
    assert pop.loc[("0114", 2018), "population"] == 45_550
    assert pop.loc[("0114", 2018), "origin"] == "kolada_api"
    assert pop.loc[("0114", 2020), "origin"] == "scb_fil"


def test_refetch_replaces_rather_than_duplicates(server, data_dir):
    for _ in range(2):
        _serve_pages(server)
        _fetch_reception(server, data_dir)
    kpi = store.read_table("kpi_values", data_dir)
    assert not kpi.duplicated(["kpi", "area_code", "year", "gender", "origin"]).any()
    flags = store.read_table("kpi_flags", data_dir)
    api_flags = flags[flags["origin"] == "kolada_api"]
    assert (kpi["origin"] == "kolada_api").sum() + len(api_flags) == 48  # 4 KPIs x 2 x 2 x 3
    # the stand-in rounds N02006 to one decimal: 2018 against the fetched 2017 population fails
    assert set(api_flags["kpi"]) == {"N02006"}, api_flags


def test_without_areas_table_the_area_list_comes_from_kolada(server, tmp_path):
    server.routes["/v3/municipality"] = [(200, "municipality.json")]
    _serve_pages(server)
    # the stand-in answers for the four reception KPIs: ask for them (others would be refused)
    fetch_kolada(
        ["N01951", "N01986", "N01987", "N02006"],
        data_dir=tmp_path,
        client=_client(server),
        log=lambda *a: None,
    )
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
