"""The cohort model against a hand calculation, and the invariants any projection must keep."""

import numpy as np
import pandas as pd
import pytest

from etablering.errors import ParameterError
from etablering.kefu import entrants_from_counts, load_params, prepare, project, project_kommun
from etablering.kefu.uncertainty import monte_carlo

# A small cohort: 10 women and 10 men enter in January 2018, 24 months, one-person households,
# rent 5 000 kr flat, no other income; hazard 5 %/10 % a month in the first two years after exit,
# then 2 %/4 %.
SMALL = {
    "exit_share.women": 0.3,
    "exit_share.men": 0.5,
    "need_share": 0.8,
    "hazard.multiplier": 1.0,
    "hazard.pieces.0.women": 0.05,
    "hazard.pieces.0.men": 0.10,
    "hazard.pieces.1.women": 0.02,
    "hazard.pieces.1.men": 0.04,
    "households.single.share": 1.0,
    "households.single_parent.share": 0.0,
    "households.couple.share": 0.0,
    "households.couple_with_children.share": 0.0,
    "rent.single": 5_000,
    "rent_factor": 1.0,
    "rent_growth": 0.0,
    "other_income.per_household": 0,
}


@pytest.fixture(scope="module")
def small_params():
    return load_params(overrides=SMALL)


@pytest.fixture(scope="module")
def cohort():
    return entrants_from_counts({"2018-01": {"K": 10, "M": 10}}, source="testkohort")


def _run(params, entrants, start=2018, end=2022, **kw):
    return project(entrants, params, start, end, **kw)


def test_small_cohort_by_hand(small_params, cohort):
    # riksnorm, one adult: ensamstående + gemensamma 1 person (parameters/forsorjningsstod.yml)
    norm = {2020: 3_150 + 1_010, 2021: 3_160 + 1_020, 2022: 3_210 + 1_040}
    rent = 5_000
    expected = {}  # (year, gender) -> kr
    persons = {}  # (month, gender) -> persons on bistånd
    for gender, entrants, in_work, early, late in (
        ("K", 10, 0.3, 0.05, 0.02),
        ("M", 10, 0.5, 0.10, 0.04),
    ):
        on = entrants * (1 - in_work) * 0.8  # everyone exits in January 2020, after 24 months
        for k in range(36):  # January 2020 (k = 0) … December 2022 (k = 35)
            year, month = 2020 + k // 12, k % 12 + 1
            persons[(f"{year}-{month:02d}", gender)] = on
            expected[(year, gender)] = expected.get((year, gender), 0) + on * (norm[year] + rent)
            on *= 1 - (early if k < 24 else late)  # leaves at the end of month k
    proj = _run(small_params, cohort)
    got = proj.yearly.set_index(["year", "gender"])["cost_kr"]
    for key, kr in expected.items():
        assert got[key] == pytest.approx(kr, abs=0.5), key
    assert got[(2018, "T")] == got[(2019, "T")] == 0  # still in the programme
    monthly = proj.monthly.assign(month=proj.monthly["month"].astype(str))
    monthly = monthly.set_index(["month", "gender"])["persons_on_bistand"]
    for key, n in persons.items():
        assert monthly[key] == pytest.approx(n, abs=1e-9), key
    # the first month: 10 × 0.7 × 0.8 = 5.6 women and 10 × 0.5 × 0.8 = 4 men at 9 160 kr each
    assert got[(2020, "T")] > 0 and persons[("2020-01", "K")] == pytest.approx(5.6)
    first = proj.monthly[proj.monthly["month"] == pd.Period("2020-01", "M")]
    assert first["cost_kr"].sum() == pytest.approx((5.6 + 4.0) * 9_160)
    # programme: 20 persons in every month of 2018–2019, none after
    prog = proj.monthly.groupby("month")["in_programme"].sum()
    assert (prog[:"2019-12"] == 20).all() and (prog["2020-01":] == 0).all()
    # KEFU scope: only the first 12 months after exit -> 2020 equal, later years nothing
    kefu = proj.kefu_yearly.set_index(["year", "gender"])["cost_kr"]
    assert kefu[(2020, "T")] == pytest.approx(got[(2020, "T")], abs=1e-6)
    assert kefu[(2021, "T")] == kefu[(2022, "T")] == 0
    # persons during 2021 = those on bistånd in January 2021 (nobody new enters)
    assert proj.yearly.set_index(["year", "gender"]).loc[(2021, "K"), "persons"] == pytest.approx(
        persons[("2021-01", "K")]
    )


def test_person_months_are_conserved(small_params, cohort):
    for params, entrants in ((small_params, cohort), (load_params(), _mixed())):
        m = _run(params, entrants, 2018, 2026).monthly
        total = m["in_programme"] + m["persons_on_bistand"] + m["exited_not_on_bistand"]
        total += m["left_bistand"]
        np.testing.assert_allclose(total, m["entrants_cumulative"], rtol=0, atol=1e-9)


def _mixed():
    counts = {f"2018-{m:02d}": {"K": 7 + m, "M": 3 * m} for m in range(1, 13)}
    counts.update({f"2019-{m:02d}": {"K": 5, "M": 4} for m in range(1, 13)})
    return entrants_from_counts(counts)


def test_no_entrants_gives_zero_cost(small_params):
    nobody = entrants_from_counts({"2018-01": {"K": 0, "M": 0}})
    proj = _run(small_params, nobody)
    assert proj.yearly["cost_kr"].eq(0).all() and proj.kefu_yearly["cost_kr"].eq(0).all()
    assert proj.comparison["share_not_in_kefu"].eq(0).all()
    # a kommun that received nobody (absent from the table) is zero too, not a crash
    table = pd.DataFrame(
        {
            "year": [2018],
            "kommun_code": ["0680"],
            "category": ["kvot"],
            "persons": [10],
            "ensamkommande": [0],
            "source": ["test"],
        }
    )
    empty = project_kommun("2580", table, None, load_params(), 2019, 2023)
    assert empty.yearly["cost_kr"].eq(0).all()
    assert empty.entrants["entrants"].eq(0).all()


def test_everyone_self_sufficient_gives_zero_cost(small_params, cohort):
    params = small_params.with_overrides({"exit_share.women": 1.0, "exit_share.men": 1.0})
    assert _run(params, cohort).yearly["cost_kr"].eq(0).all()
    assert (
        _run(small_params.with_overrides({"need_share": 0.0}), cohort).yearly["cost_kr"].eq(0).all()
    )


def _total(params, entrants, **kw):
    return _run(params, entrants, 2018, 2026, **kw).yearly.query("gender == 'T'")["cost_kr"].sum()


def test_cost_rises_with_the_share_not_self_sufficient_and_with_rent(cohort):
    base = load_params()
    by_exit = [
        _total(base.with_overrides({"exit_share.women": s, "exit_share.men": s}), cohort)
        for s in (0.8, 0.6, 0.4, 0.2, 0.0)
    ]
    assert all(a < b for a, b in zip(by_exit, by_exit[1:], strict=False))
    by_need = [_total(base.with_overrides({"need_share": s}), cohort) for s in (0.2, 0.5, 0.9)]
    assert all(a < b for a, b in zip(by_need, by_need[1:], strict=False))
    by_rent = [
        _total(base.with_overrides({"rent.single": r}), cohort) for r in (3_000, 5_000, 7_000)
    ]
    assert all(a < b for a, b in zip(by_rent, by_rent[1:], strict=False))
    by_hazard = [_total(base.with_overrides({"hazard.multiplier": h}), cohort) for h in (2, 1, 0.5)]
    assert all(a < b for a, b in zip(by_hazard, by_hazard[1:], strict=False))


def test_kefu_scope_never_exceeds_the_full_projection():
    params = load_params()
    proj = _run(params, _mixed(), 2019, 2026)
    full = proj.yearly.set_index(["year", "gender"])["cost_kr"]
    kefu = proj.kefu_yearly.set_index(["year", "gender"])["cost_kr"]
    assert (kefu <= full + 1e-6).all()
    assert (
        proj.kefu_monthly["cost_kr"].to_numpy() <= proj.monthly["cost_kr"].to_numpy() + 1e-9
    ).all()
    # a horizon after the exits: KEFU counts nothing, the full projection the carry-over
    late = _run(params, _mixed(), 2022, 2024)
    assert late.kefu_yearly["cost_kr"].eq(0).all() and late.yearly["cost_kr"].gt(0).all()


def test_discrete_programme_durations(small_params, cohort):
    params = small_params.with_overrides(
        {
            "establishment.durations": {
                12: {"value": 0.25, "source": "test", "year": 2018, "derived": False},
                24: {"value": 0.75, "source": "test", "year": 2018, "derived": False},
            }
        }
    )
    m = _run(params, cohort).monthly.groupby("month")[["in_programme", "exits"]].sum()
    assert m.loc[pd.Period("2018-12", "M"), "in_programme"] == 20
    assert m.loc[pd.Period("2019-01", "M"), "exits"] == 5
    assert m.loc[pd.Period("2019-01", "M"), "in_programme"] == 15
    assert m.loc[pd.Period("2020-01", "M"), "exits"] == 15


def test_scenarios_cost_less_when_they_raise_exit_shares():
    params = load_params()
    women, men = params.exit_share.women.value, params.exit_share.men.value
    target = params.scenario_defaults.aktiv_fran_dag_ett_target.value
    assert women < men < target
    base = _total(params, _mixed())
    assert _total(params, _mixed(), scenario="kvinnor_som_man") < base
    assert _total(params, _mixed(), scenario="aktiv_fran_dag_ett") < base
    # kvinnor_som_man changes women only
    proj = _run(params, _mixed(), scenario="kvinnor_som_man")
    baseline = _run(params, _mixed())
    men_cost = lambda p: p.yearly.query("gender == 'M'")["cost_kr"].to_numpy()  # noqa: E731
    np.testing.assert_array_equal(men_cost(proj), men_cost(baseline))
    assert proj.scenario_description.startswith("Kvinnor går")


def test_bad_horizon_and_scenario(small_params, cohort):
    with pytest.raises(ParameterError, match=r"horizon\.start_year \(2017\).*2018"):
        _run(small_params, cohort, 2017, 2020)
    with pytest.raises(ParameterError, match=r"horizon\.end_year \(2040\).*riksnorm"):
        _run(small_params, cohort, 2018, 2040)
    with pytest.raises(ParameterError, match=r"horizon\.end_year"):
        _run(small_params, cohort, 2020, 2019)
    with pytest.raises(ParameterError, match="Okänt scenario 'okänt'.*Kända scenarier: baseline"):
        _run(small_params, cohort, scenario="okänt")


def test_negative_entrant_count_is_an_error():
    with pytest.raises(ParameterError, match=r"entrants\[2018-01\]\[K\]"):
        entrants_from_counts({"2018-01": {"K": -1, "M": 3}})


def test_monte_carlo_with_zero_spread_equals_the_deterministic_run(cohort):
    params = load_params().with_zero_spread()
    proj = _run(params, _mixed(), 2019, 2030)
    prep = prepare(_mixed(), params, 2019, 2030)
    bands = monte_carlo(prep, n_draws=200, seed=7)
    merged = bands.merge(proj.yearly, on=["year", "gender"])
    for col in ("p2_5", "p10", "p50", "p90", "p97_5", "deterministic"):
        np.testing.assert_array_equal(merged[col].to_numpy(), merged["cost_kr"].to_numpy())
    period = monte_carlo(prep, n_draws=200, seed=7, by_year=False).set_index("gender")
    assert period.loc["T", "period"] == "2019–2030"
    totals = proj.yearly.groupby("gender")["cost_kr"].sum()
    np.testing.assert_allclose(period["p50"], totals[period.index], rtol=1e-12)


def test_period_band_totals_each_draw_over_the_horizon(cohort):
    prep = prepare(_mixed(), load_params(), 2019, 2025)
    yearly = monte_carlo(prep, n_draws=400, seed=3).query("gender == 'T'")
    period = monte_carlo(prep, n_draws=400, seed=3, by_year=False).set_index("gender").loc["T"]
    assert period["mean"] == pytest.approx(yearly["mean"].sum(), rel=1e-9)  # means add up
    assert period["deterministic"] == pytest.approx(yearly["deterministic"].sum(), rel=1e-9)
    assert period["p2_5"] < period["p10"] < period["p50"] < period["p90"] < period["p97_5"]
