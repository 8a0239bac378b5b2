"""Monte Carlo bands and the tornado table on Jönköping's real cohorts."""

import time

import numpy as np
import pytest

from etablering.analysis.kefu import Panel, load_params, monte_carlo, prepare, sample, tornado
from etablering.analysis.kefu.model import area_inputs
from etablering.analysis.kefu.params import Distribution
from etablering.analysis.kefu.uncertainty import _inverse_cdf
from etablering.data import store


@pytest.fixture(scope="module")
def prep(processed):
    params = load_params()
    data = Panel.build(store.read_table("kpi_values", processed), params)
    inputs = area_inputs(data, params, "0680", "Jönköping", "kommun")
    return prepare(inputs, params, 2016, 2026)


def test_bands_are_ordered_and_seeded(prep):
    a = monte_carlo(prep, n_draws=500, seed=3, periods={"2023–2026": (2023, 2026)})
    b = monte_carlo(prep, n_draws=500, seed=3, periods={"2023–2026": (2023, 2026)})
    assert a.equals(b)
    cols = ["p2_5", "p10", "p50", "p90", "p97_5"]
    assert (a[cols].diff(axis=1).iloc[:, 1:] >= 0).all().all()
    cost = a[(a["measure"] == "cost") & (a["gender"] == "T") & (a["period"] == "")]
    cost = cost.set_index("year")
    assert (cost.loc[2018:, "p10"] < cost.loc[2018:, "deterministic"]).all()
    assert (cost.loc[2018:, "deterministic"] < cost.loc[2018:, "p90"]).all()
    period = a[(a["measure"] == "cost") & (a["gender"] == "T") & (a["period"] == "2023–2026")]
    assert period["mean"].iloc[0] == pytest.approx(cost.loc[2023:2026, "mean"].sum(), rel=1e-9)


def test_thousand_draws_run_in_seconds(prep):
    start = time.perf_counter()
    monte_carlo(prep, n_draws=1000, seed=1)
    assert time.perf_counter() - start < 3


def test_women_and_men_move_together_and_distributions_hold(prep):
    draws = sample(prep.params, 20_000, seed=1)
    rho = np.corrcoef(draws["outcomes.women_shift"], draws["outcomes.men_shift"])[0, 1]
    assert rho == pytest.approx(prep.params.outcomes.women_men_correlation.value, abs=0.05)
    need = prep.params.bistand.need_share.distribution
    assert need.low <= draws["bistand.need_share"].min()
    assert draws["bistand.need_share"].max() <= need.high
    level = draws["local.level_spread"]
    assert np.median(level) == pytest.approx(1.0, abs=0.03)  # log-uniform 0,45–2,2
    assert (draws["rent.couple"] == prep.params.rent.couple.value).all()  # no distribution
    u = np.array([0.0, 0.5, 1.0])
    np.testing.assert_allclose(
        _inverse_cdf(Distribution(kind="uniform", low=2.0, high=4.0), u), [2, 3, 4]
    )
    np.testing.assert_allclose(
        _inverse_cdf(Distribution(kind="loguniform", low=0.5, high=2.0), u), [0.5, 1, 2]
    )


def test_counts_vary_more_in_a_small_kommun(processed):
    params = load_params().with_zero_spread()
    data = Panel.build(store.read_table("kpi_values", processed), params)

    def relative_width(code, name):
        inputs = area_inputs(data, params, code, name, "kommun")
        b = monte_carlo(prepare(inputs, params, 2016, 2022), n_draws=400, seed=1)
        row = b[(b["measure"] == "cost") & (b["gender"] == "T") & (b["year"] == 2021)].iloc[0]
        return (row["p97_5"] - row["p2_5"]) / row["p50"]

    assert relative_width("2403", "Bjurholm") > 3 * relative_width("0680", "Jönköping")


def test_tornado_moves_one_parameter_at_a_time(prep):
    table = tornado(prep, (2023, 2026))
    assert set(table["parameter"]) == {p for p, _ in prep.params.uncertain()}
    assert (table["cost_baseline_kr"] == table["cost_baseline_kr"].iloc[0]).all()
    assert table["swing_kr"].is_monotonic_decreasing
    rows = table.set_index("parameter")
    need = rows.loc["bistand.need_share"]
    assert need["cost_at_low_kr"] < need["cost_baseline_kr"] < need["cost_at_high_kr"]
    women = rows.loc["outcomes.women_shift"]
    assert women["cost_at_low_kr"] > women["cost_at_high_kr"]  # more in work -> lower cost
    leave = rows.loc["bistand.leave_rate"]
    assert leave["cost_at_low_kr"] > leave["cost_at_high_kr"]
