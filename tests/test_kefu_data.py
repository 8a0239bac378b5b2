"""Outcomes after the programme on the real panel: the kommun's own share, shrunk towards its
län by the number who left, and the 'aktiv från dag ett' target from comparable kommuner."""

import pytest

from etablering.analysis.kefu import Panel, load_params
from etablering.analysis.kefu.exit_shares import exit_shares
from etablering.analysis.kefu.model import area_inputs
from etablering.data import store


@pytest.fixture(scope="module")
def params():
    return load_params()


@pytest.fixture(scope="module")
def data(processed, params):
    kv = store.read_table("kpi_values", processed)
    return Panel.build(kv, params, store.read_table("area_groups", processed))


def test_jonkoping_keeps_its_own_share_bjurholm_leans_on_its_lan(data, params):
    kappa = params.outcomes.shrinkage_persons.value
    j = data.outcomes["0680"].loc[(2018, "K")]
    assert j["own"] == pytest.approx(0.292, abs=0.001)  # Kolada N00973, 236 women left
    assert j["weight"] == pytest.approx(236 / (236 + kappa))
    assert j["share"] == pytest.approx(j["weight"] * j["own"] + (1 - j["weight"]) * j["prior"])
    b = data.outcomes["2403"].loc[(2019, "M")]  # Bjurholm: 1 man left, 100 % in work
    assert b["own"] == 1.0 and b["weight"] < 0.05 and b["share"] < 0.6


def test_the_lan_is_its_kommuner_weighted_by_leavers(data):
    lan = data.outcomes["lan:06"].loc[(2018, "K")]
    kommuner = [c for c in data.outcomes if len(c) == 4 and c.startswith("06")]
    rows = [
        data.outcomes[c].loc[(2018, "K")] for c in kommuner if (2018, "K") in data.outcomes[c].index
    ]
    rows = [r for r in rows if r["own"] == r["own"] and r["leavers"] > 0]
    expected = sum(r["own"] * r["leavers"] for r in rows) / sum(r["leavers"] for r in rows)
    assert lan["own"] == pytest.approx(expected)


def test_years_outside_the_data_are_named(data, params):
    table = exit_shares(data.outcomes["0680"], [2014, 2020, 2025], params)
    t = table.set_index(["exit_year", "gender"])
    assert t.loc[(2014, "K"), "basis"].startswith("som 2015")
    assert t.loc[(2025, "K"), "basis"] == "antagande: medel 2020–2022"
    assert t.loc[(2020, "K"), "basis"].startswith("kommunen ")


def test_aktiv_fran_dag_ett_target_comes_from_comparable_kommuner(data, params):
    inputs = area_inputs(data, params, "0680", "Jönköping", "kommun")
    assert "Liknande kommuner arbetsmarknad, Jönköping" in inputs.peer_note
    assert 0.2 < inputs.peer_target["K"] < inputs.peer_target["M"] < 0.8
