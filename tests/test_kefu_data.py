"""Outcomes after the programme on the real panel: the kommun's own share, shrunk towards its
län by the number who left, and the 'aktiv från dag ett' target from comparable kommuner."""

import pytest

from etablering.analysis.kefu.exit_shares import Basis, exit_shares
from etablering.analysis.kefu.model import area_inputs


def test_jonkoping_keeps_its_own_share_bjurholm_leans_on_its_lan(kefu_panel, params):
    kappa = params.outcomes.shrinkage_persons.value
    j = kefu_panel.outcomes["0680"].loc[(2018, "K")]
    assert j["own"] == pytest.approx(0.292, abs=0.001)  # Kolada N00973, 236 women left
    assert j["weight"] == pytest.approx(236 / (236 + kappa))
    assert j["share"] == pytest.approx(j["weight"] * j["own"] + (1 - j["weight"]) * j["prior"])
    b = kefu_panel.outcomes["2403"].loc[(2019, "M")]  # Bjurholm: 1 man left, 100 % in work
    assert b["own"] == 1.0 and b["weight"] < 0.05 and b["share"] < 0.6


def test_the_lan_is_its_kommuner_weighted_by_leavers(kefu_panel):
    lan = kefu_panel.outcomes["lan:06"].loc[(2018, "K")]
    kommuner = [c for c in kefu_panel.outcomes if len(c) == 4 and c.startswith("06")]
    rows = [
        kefu_panel.outcomes[c].loc[(2018, "K")]
        for c in kommuner
        if (2018, "K") in kefu_panel.outcomes[c].index
    ]
    rows = [r for r in rows if r["own"] == r["own"] and r["leavers"] > 0]
    expected = sum(r["own"] * r["leavers"] for r in rows) / sum(r["leavers"] for r in rows)
    assert lan["own"] == pytest.approx(expected)


def test_years_outside_the_data_are_named(kefu_panel, params):
    table = exit_shares(kefu_panel.outcomes["0680"], [2014, 2020, 2025], params)
    t = table.set_index(["exit_year", "gender"])
    est = kefu_panel.outcomes["0680"].dropna(subset=["share"])
    # before 2015, N00973's first year: that year's share
    assert t.loc[(2014, "K"), "basis"] == Basis.FIRST_YEAR
    assert t.loc[(2014, "K"), "share"] == est.loc[(2015, "K"), "share"]
    # after the data: the mean of the last three years (an assumption)
    assert t.loc[(2025, "K"), "basis"] == Basis.RECENT_MEAN
    recent = [est.loc[(y, "K"), "share"] for y in (2020, 2021, 2022)]
    assert t.loc[(2025, "K"), "share"] == pytest.approx(sum(recent) / 3)
    assert t.loc[(2020, "K"), "basis"] == Basis.KOMMUN_LAN


def test_aktiv_fran_dag_ett_target_comes_from_comparable_kommuner(kefu_panel, params):
    inputs = area_inputs(kefu_panel, params, "0680", "Jönköping", "kommun")
    assert "Liknande kommuner arbetsmarknad, Jönköping" in inputs.peer_note
    assert 0.2 < inputs.peer_target["K"] < inputs.peer_target["M"] < 0.8
