"""Monte Carlo bands and the tornado table."""

import time

import numpy as np
import pytest

from etablering.kefu import entrants_from_counts, load_params, prepare
from etablering.kefu.params import Distribution
from etablering.kefu.uncertainty import _inverse_cdf, monte_carlo, sample, tornado


@pytest.fixture(scope="module")
def prep():
    counts = {f"2018-{m:02d}": {"K": 12, "M": 9} for m in range(1, 13)}
    return prepare(entrants_from_counts(counts), load_params(), 2019, 2025)


def test_bands_are_ordered_and_seeded(prep):
    a = monte_carlo(prep, n_draws=1000, seed=3)
    b = monte_carlo(prep, n_draws=1000, seed=3)
    assert a.equals(b)
    cols = ["p2_5", "p10", "p50", "p90", "p97_5"]
    assert (a[cols].diff(axis=1).iloc[:, 1:] >= 0).all().all()
    busy = a[(a["gender"] == "T") & (a["year"] >= 2021)]
    assert (busy["p10"] < busy["deterministic"]).all() and (busy["p97_5"] > busy["p50"]).all()


def test_thousand_draws_run_in_seconds(prep):
    start = time.perf_counter()
    monte_carlo(prep, n_draws=1000, seed=1)
    assert time.perf_counter() - start < 5


def test_sampling_respects_the_distributions(prep):
    draws = sample(prep.params, 20_000, seed=1)
    need = prep.params.need_share.distribution
    assert draws["need_share"].min() >= need.low and draws["need_share"].max() <= need.high
    # triangular(0.6, 0.775, 0.95) has mean (0.6 + 0.775 + 0.95)/3
    assert draws["need_share"].mean() == pytest.approx((0.6 + 0.775 + 0.95) / 3, abs=0.005)
    fixed = draws["rent.couple"]  # no distribution -> always the value
    assert (fixed == prep.params.rent.couple.value).all()
    u = np.array([0.0, 0.5, 1.0])
    dist = Distribution(kind="uniform", low=2.0, high=4.0)
    np.testing.assert_allclose(_inverse_cdf(dist, u), [2.0, 3.0, 4.0])


def test_tornado_moves_one_parameter_at_a_time(prep):
    table = tornado(prep)
    assert set(table["parameter"]) == {p for p, _ in prep.params.uncertain()}
    assert (table["cost_baseline_kr"] == table["cost_baseline_kr"].iloc[0]).all()
    assert table["swing_kr"].is_monotonic_decreasing
    row = table.set_index("parameter").loc["need_share"]
    assert row["cost_at_low_kr"] < row["cost_baseline_kr"] < row["cost_at_high_kr"]
    women = table.set_index("parameter").loc["exit_share.women"]
    assert women["cost_at_low_kr"] > women["cost_at_high_kr"]  # more in work -> lower cost
    per_year = tornado(prep, by_year=True)
    assert set(per_year["period"]) == set(range(2019, 2026))
