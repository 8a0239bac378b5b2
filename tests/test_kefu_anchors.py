"""The public figures the model answers to: SKL's 2014 cohort, riket's bistånd, Hässleholm,
Socialstyrelsen's flyktinghushåll and its long-term share. A model that misses them is a bug."""

import numpy as np
import pytest

from etablering.analysis.kefu import monte_carlo, prepare
from etablering.analysis.kefu.calibrate import (
    leave_rate_for,
    long_term_share,
    riket_anchor,
    skl_anchor,
)
from etablering.analysis.kefu.cohort import simulate, yearly
from etablering.analysis.kefu.draws import Draws
from etablering.analysis.kefu.model import area_inputs


def test_skl_2014_cohort_inside_the_95_percent_band(kefu_panel, params):
    """SKL 2018: 177 Mkr (2016) and 315 Mkr (2017) to those who entered the programme in 2014;
    the model is fed riket's 2014 entrants derived from Kolada (22 471)."""
    anchor = skl_anchor(kefu_panel, params, n_draws=1000, seed=2018).set_index("year")
    for year, public in ((2016, 177e6), (2017, 315e6)):
        row = anchor.loc[year]
        assert row["p2_5"] < public < row["p97_5"], (year, row.round(-6).to_dict())
        assert row["model_kr"] == pytest.approx(public, rel=0.15)  # the main values too
    # "about twice as many need support the year after the phase ended"
    assert 1.3 < anchor.loc[2017, "model_kr"] / anchor.loc[2016, "model_kr"] < 2.2


def test_riket_below_total_bistand_and_its_rise_2016_2020(kefu_panel, params):
    r = riket_anchor(kefu_panel, params).set_index("year")
    years = r.index[(r.index >= 2015) & r["total_kr"].notna()]
    assert (r.loc[years, "model_kr"] < 0.3 * r.loc[years, "total_kr"]).all()
    model = r.loc[2020, "model_kr"] - r.loc[2016, "model_kr"]
    actual = r.loc[2020, "total_kr"] - r.loc[2016, "total_kr"]  # +1,44 mdr kr
    assert model == pytest.approx(actual, rel=0.15)


def test_flyktinghushall_is_refugee_bistand_per_kommun(kefu_panel):
    """U31001 (incl. flyktinghushåll) − N31004 (excl.), × population: riket 2018 ≈ 1,47 mdr kr,
    Jönköping ≈ 11,6 Mkr, Hässleholm ≈ 5,4 Mkr."""
    a = kefu_panel.actual
    assert a.loc[("0000", 2018), "refugee_kr"] == pytest.approx(1.465e9, rel=0.01)
    assert a.loc[("0680", 2018), "refugee_kr"] == pytest.approx(11.6e6, rel=0.01)
    assert a.loc[("1293", 2018), "refugee_kr"] == pytest.approx(5.4e6, rel=0.02)
    # N31857 (tkr) equals U31001 × population of the same year
    assert a.loc[("1293", 2018), "total_kr"] == pytest.approx(44.08e6, rel=0.001)


def test_the_model_stays_below_flyktinghushall_in_its_years(kefu_panel, params):
    """Socialstyrelsen counts a household as a refugee household from the permit year and three
    calendar years more; that statistic also holds what the model leaves out (the weeks before
    etableringsersättning, family outside the programme, people over 64), so it is larger."""
    r = riket_anchor(kefu_panel, params).set_index("year").loc[2017:2022]
    ratio = r["model_window_kr"] / r["refugee_kr"]
    assert ratio.between(0.25, 0.75).all(), ratio.round(2).to_dict()


def _window_sum(prep, years=range(2016, 2023)) -> float:
    flows = simulate(prep, Draws.at_values(prep.params))
    by_year = yearly(prep, flows.cost_window)[0, 2]
    first = int(prep.years[0])
    return float(sum(by_year[y - first] for y in years))


def _cost_at_level_spread(prep, spread: float) -> float:
    draws = Draws.at_values(prep.params).with_column("local.level_spread", np.array([spread]))
    return float(simulate(prep, draws).cost.sum())


def test_a_kommun_stays_inside_its_flyktinghushall_statistic(kefu_panel, params):
    """The statistic holds the model's cost in its years and more; where the model exceeds it
    (Södertälje: 40,8 against 21,2 Mkr 2016–2022; Tierp: 7,4 against 1,6 Mkr) the level is
    lowered so that the main values equal it. A kommun below it (Jönköping, 42 %) and riket, the
    calibration, are left alone."""
    stat = kefu_panel.actual["refugee_kr"]
    for code, name, scale in (("0181", "Södertälje", 0.52), ("0360", "Tierp", 0.22)):
        inputs = area_inputs(kefu_panel, params, code, name, "kommun")
        prep = prepare(inputs, params, 2016, 2026)
        statistic = sum(stat[(code, y)] for y in range(2016, 2023))
        assert prep.window_scale == pytest.approx(scale, abs=0.005)
        assert prep.local.level == pytest.approx(inputs.local.level * prep.window_scale)
        assert _window_sum(prep) == pytest.approx(statistic, rel=1e-6)
        # the level's spread stays around the lowered level (the statistic is uncertain too)
        assert _cost_at_level_spread(prep, 2.2) > 1.5 * _cost_at_level_spread(prep, 1)
    inputs = area_inputs(kefu_panel, params, "0680", "Jönköping", "kommun")
    prep = prepare(inputs, params, 2016, 2026)
    assert prep.window_scale == 1 and prep.local.level == inputs.local.level
    assert _cost_at_level_spread(prep, 2.2) == pytest.approx(2.2 * _cost_at_level_spread(prep, 1))
    assert _window_sum(prep) < 0.5 * sum(stat[("0680", y)] for y in range(2016, 2023))
    inputs = area_inputs(kefu_panel, params, "0000", "Riket", "riket")
    assert prepare(inputs, params, 2016, 2026).window_scale == 1


@pytest.fixture(scope="module")
def hassleholm(kefu_panel, params):
    inputs = area_inputs(kefu_panel, params, "1293", "Hässleholm", "kommun")
    prep = prepare(inputs, params, 2016, 2022)
    bands = monte_carlo(
        prep, n_draws=1000, seed=2018, changes=[(2016, 2020), (2018, 2019), (2019, 2020)]
    )
    return inputs, bands


def test_hassleholm_costs_stay_below_its_total_bistand(hassleholm):
    inputs, bands = hassleholm
    cost = bands[(bands["measure"] == "cost") & (bands["gender"] == "T") & (bands["period"] == "")]
    cost = cost.set_index("year")
    total = inputs.actual["total_kr"]  # 44,1 / 53,7 / 64,0 Mkr
    for year in (2018, 2019, 2020):
        assert cost.loc[year, "p97_5"] < total[year]
    # the old model put the 2018 cohorts at 70,6 Mkr, above everything Hässleholm paid
    assert cost.loc[2018, "p50"] < 0.3 * total[2018]


def test_hassleholms_rise_2016_2020_is_inside_the_band(hassleholm):
    inputs, bands = hassleholm
    change = bands[bands["measure"] == "change"].set_index("period")
    total = inputs.actual["total_kr"]
    actual = total[2020] - total[2016]  # +26,8 Mkr
    row = change.loc["2016–2020"]
    assert row["p2_5"] < actual < row["p97_5"]
    # year by year the cohorts are a large part of the rise, not all of it: the model's median
    # rise is 20–100 % of the actual (9,7 and 10,2 Mkr), which lies above the 95 % band
    for period, (a, b) in {"2018–2019": (2018, 2019), "2019–2020": (2019, 2020)}.items():
        rise = total[b] - total[a]
        assert 0.2 * rise < change.loc[period, "p50"] < rise


def test_leaving_rate_gives_socialstyrelsens_long_term_share(params):
    leave, back = params.bistand.leave_rate.value, params.bistand.return_rate.value
    assert long_term_share(leave, back) == pytest.approx(0.40, abs=0.01)
    assert leave_rate_for(0.40, back) == pytest.approx(leave, abs=0.002)
    assert np.isclose(long_term_share(0.0, 0.0), 1.0)
