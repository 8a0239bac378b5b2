"""The cohort arithmetic against a hand calculation, and the rules any projection must keep:
households not persons, scenarios never change the past, never more than the kommun paid."""

import numpy as np
import pandas as pd
import pytest

from etablering.analysis.kefu import load_params, monte_carlo, prepare, project
from etablering.analysis.kefu.calibrate import cohort_inputs
from etablering.analysis.kefu.cohort import Convolution, kernels
from etablering.analysis.kefu.model import with_scenario
from etablering.core.errors import ParameterError

# One kind of household at a time, paid in full, nobody coming back, no bistånd in the programme.
PLAIN = {
    "households.single.share": 1.0,
    "households.single_parent.share": 0.0,
    "households.couple.share": 0.0,
    "households.couple_with_children.share": 0.0,
    "bistand.need_share": 0.5,
    "bistand.leave_rate": 0.1,
    "bistand.return_rate": 0.0,
    "bistand.move_away_rate": 0.0,
    "bistand.net_share": 1.0,
    "topup.per_participant_month": 0,
    "rent.single": 5_000,
    "rent.couple": 6_000,
    "rent_factor": 1.0,
    "rent_growth": 0.0,
    "other_income.per_household": 0,
}
COUPLES = {
    **PLAIN,
    "households.single.share": 0.0,
    "households.couple.share": 1.0,
    "bistand.partner_correlation": 0.0,
}


def outcomes(women: float, men: float) -> pd.DataFrame:
    """A constant share in work or studies, shaped like the panel's estimates."""
    idx = pd.MultiIndex.from_product([range(2015, 2023), ["K", "M"]], names=["year", "gender"])
    share = [women if g == "K" else men for _, g in idx]
    return pd.DataFrame(
        {"share": share, "own": share, "leavers": 100.0, "weight": 1.0, "prior": share}, index=idx
    )


def run(overrides, women=0.25, men=0.5, entry_year=2018, end=2022, actual=None, **kw):
    params = load_params(overrides=overrides)
    inputs = cohort_inputs({"K": 12, "M": 12}, entry_year, outcomes(women, men))
    if actual is not None:
        inputs = type(inputs)(**{**inputs.__dict__, "actual": actual, "kind": "kommun"})
    prep = prepare(inputs, params, entry_year, end, **kw)
    return prep, project(prep)


def test_single_households_by_hand():
    prep, proj = run(PLAIN)
    # 12 women and 12 men enter evenly over 2018 and leave evenly over 2020 (one a month each).
    # Each exit is one household; it is on bistånd with 0,5 × (1 − share in work) and leaves
    # it with 10 % a month. Kronor: riksnorm for one adult + 5 000 rent.
    norm = {2020: 3_150 + 1_010, 2021: 3_160 + 1_020, 2022: 3_210 + 1_040}
    expected = {}
    for gender, work in (("K", 0.25), ("M", 0.5)):
        for t in range(36):  # January 2020 … December 2022
            year = 2020 + t // 12
            on = sum(0.5 * (1 - work) * 0.9 ** (t - e) for e in range(min(t, 11) + 1))
            expected[(year, gender)] = expected.get((year, gender), 0.0) + on * (norm[year] + 5_000)
    got = proj.yearly.set_index(["year", "gender"])["cost_kr"]
    for key, kr in expected.items():
        assert got[key] == pytest.approx(kr, abs=0.01), key
    assert got[(2018, "T")] == got[(2019, "T")] == 0  # still in the programme
    # January 2020: 0,375 women's and 0,25 men's households at 9 160 kr
    assert expected[(2020, "K")] > expected[(2020, "M")]
    inprog = proj.yearly.set_index(["year", "gender"])["in_programme"]
    assert inprog[(2019, "T")] == pytest.approx(24) and inprog[(2021, "T")] == 0


def test_the_chain_of_leaving_and_coming_back():
    h, r, m = np.array([0.06]), np.array([0.009]), np.array([0.0])
    a, b = kernels(h, r, m, 600)
    assert a[0, 0] == 1 and b[0, 0] == 0
    # in the long run both end at r / (h + r) of the households
    assert a[0, -1] == pytest.approx(0.009 / 0.069, rel=1e-6)
    assert b[0, -1] == pytest.approx(0.009 / 0.069, rel=1e-6)
    a0, _ = kernels(np.array([0.1]), np.array([0.0]), np.array([0.0]), 5)
    np.testing.assert_allclose(a0[0], 0.9 ** np.arange(5))
    # moving out removes households for good
    am, _ = kernels(h, r, np.array([0.01]), 600)
    assert am[0, -1] < 1e-2


def test_the_chain_in_closed_form_is_the_chain_month_by_month():
    rng = np.random.default_rng(7)
    h, r, m = rng.uniform(0, 0.2, 50), rng.uniform(0, 0.05, 50), rng.uniform(0, 0.01, 50)
    h[:3], r[:3] = 0.0, 0.0  # no one leaves or comes back: only moving changes anything
    r[3:6] = 0.0  # no one comes back
    a, b = kernels(h, r, m, 240)
    on_a, off_a, on_b, off_b = np.ones(50), np.zeros(50), np.zeros(50), np.ones(50)
    for k in range(240):  # the definition: one month at a time
        np.testing.assert_allclose(a[:, k], on_a, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(b[:, k], on_b, rtol=1e-10, atol=1e-14)
        on_a, off_a = on_a * (1 - h - m) + off_a * r, off_a * (1 - r - m) + on_a * h
        on_b, off_b = on_b * (1 - h - m) + off_b * r, off_b * (1 - r - m) + on_b * h


def test_convolving_exits_with_the_kernels_is_a_plain_convolution():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 5, (4, 3, 156)), rng.uniform(0, 5, (4, 3, 156))
    ka, kb = rng.uniform(0, 1, (4, 156)), rng.uniform(0, 1, (4, 156))
    got = Convolution([ka, kb], 156)(x, y)
    for d in range(4):
        for g in range(3):
            want = np.convolve(x[d, g], ka[d])[:156] + np.convolve(y[d, g], kb[d])[:156]
            np.testing.assert_allclose(got[d, g], want, rtol=1e-10)
    one = Convolution([ka], 156)(x)  # one stream, one kernel
    np.testing.assert_allclose(one[1, 2], np.convolve(x[1, 2], ka[1])[:156])


def test_a_couple_is_on_bistand_only_when_neither_works():
    # the wife has no work, the husband has: the household has an income, no bistånd
    _, proj = run(COUPLES, women=0.0, men=1.0)
    assert proj.yearly["cost_kr"].eq(0).all()
    # the same people living alone: she needs bistånd, he does not
    _, alone = run(PLAIN, women=0.0, men=1.0)
    y = alone.yearly.set_index(["year", "gender"])["cost_kr"]
    assert y[(2021, "K")] > 0 and y[(2021, "M")] == 0


def test_a_couples_cost_is_split_evenly_and_follows_the_partners_correlation():
    _, independent = run(COUPLES, women=0.5, men=0.5)
    y = independent.yearly.set_index(["year", "gender"])["cost_kr"]
    assert y[(2021, "K")] == pytest.approx(y[(2021, "M")])
    _, together = run({**COUPLES, "bistand.partner_correlation": 1.0}, women=0.5, men=0.5)
    # P(neither works) = 0,25 when independent, 0,5 when their chances move together
    ratio = together.yearly["cost_kr"].sum() / independent.yearly["cost_kr"].sum()
    assert ratio == pytest.approx(2.0)


def test_cost_rises_with_need_rent_and_slower_leaving():
    def total(extra):
        return run({**PLAIN, **extra})[1].yearly.query("gender == 'T'")["cost_kr"].sum()

    assert total({"bistand.need_share": 0.2}) < total({}) < total({"bistand.need_share": 0.8})
    assert total({"rent.single": 3_000}) < total({}) < total({"rent.single": 7_000})
    assert total({"bistand.leave_rate": 0.2}) < total({}) < total({"bistand.leave_rate": 0.05})
    assert total({}) < total({"bistand.return_rate": 0.02})
    assert run({**PLAIN, "bistand.need_share": 0.0})[1].yearly["cost_kr"].eq(0).all()


def test_scenarios_never_change_the_past():
    prep, base = run(PLAIN, end=2024)
    # exits in 2020: a policy from 2021 changes nothing, from 2020 it changes the women
    late = project(with_scenario(prep, "kvinnor_som_man", policy_year=2021))
    pd.testing.assert_frame_equal(late.yearly, base.yearly)
    early = project(with_scenario(prep, "kvinnor_som_man", policy_year=2020)).yearly
    b = base.yearly.set_index(["year", "gender"])["cost_kr"]
    e = early.set_index(["year", "gender"])["cost_kr"]
    assert e[(2021, "K")] < b[(2021, "K")] and e[(2021, "M")] == b[(2021, "M")]


def test_never_more_than_the_kommun_paid():
    actual = pd.DataFrame({"total_kr": [50_000.0], "refugee_kr": [np.nan]}, index=[2020])
    _, capped = run(PLAIN, actual=actual)
    _, free = run(PLAIN)
    c = capped.yearly.set_index(["year", "gender"])["cost_kr"]
    f = free.yearly.set_index(["year", "gender"])["cost_kr"]
    share = load_params().local.ceiling_share.value
    assert c[(2020, "T")] == pytest.approx(share * 50_000)
    assert c[(2022, "T")] / f[(2022, "T")] == pytest.approx(c[(2020, "T")] / f[(2020, "T")])


def test_kefu_scope_is_one_set_of_cohorts_on_three_years():
    # entered in 2016: inside KEFU's cohorts (January 2016–September 2017), left in 2018
    _, inside = run(PLAIN, entry_year=2016, end=2022)
    y = inside.yearly.query("gender == 'T'").set_index("year")
    assert (y["kefu_cost_kr"] <= y["cost_kr"] + 1e-6).all()
    np.testing.assert_allclose(y.loc[2018:2020, "kefu_cost_kr"], y.loc[2018:2020, "cost_kr"])
    # entered in 2018: not KEFU's cohorts at all
    _, outside = run(PLAIN, entry_year=2018)
    assert outside.yearly["kefu_cost_kr"].eq(0).all()


def test_monte_carlo_without_spread_is_the_main_values_run():
    params = load_params(overrides=PLAIN).with_zero_spread()
    inputs = cohort_inputs({"K": 12, "M": 12}, 2018, outcomes(0.25, 0.5))
    prep = prepare(inputs, params, 2018, 2024)
    bands = monte_carlo(prep, n_draws=50, seed=1, counts=False, periods={"p": (2020, 2024)})
    cost = bands[(bands["measure"] == "cost") & (bands["period"] == "")]
    merged = cost.merge(project(prep).yearly, on=["year", "gender"])
    for col in ("p2_5", "p50", "p97_5", "deterministic"):
        np.testing.assert_allclose(merged[col], merged["cost_kr"], rtol=1e-9, atol=1e-6)


def test_bad_horizon_and_scenario():
    inputs = cohort_inputs({"K": 1, "M": 1}, 2018, outcomes(0.3, 0.5))
    with pytest.raises(ParameterError, match=r"start_year \(2017\).*2018"):
        prepare(inputs, load_params(), 2017, 2020)
    with pytest.raises(ParameterError, match=r"end_year \(2040\).*riksnorm"):
        prepare(inputs, load_params(), 2018, 2040)
    with pytest.raises(ParameterError, match=r"end_year \(2019\) ligger före"):
        prepare(inputs, load_params(), 2020, 2019)
    with pytest.raises(ParameterError, match="Okänt scenario 'okänt'"):
        prepare(inputs, load_params(), 2018, 2020, scenario="okänt")
