"""Monte Carlo bands and a one-at-a-time sensitivity (tornado) for the projection.

All draws run through `cohort.simulate` at once (arrays with a draws axis), so 1 000 draws cost
about as much as a few deterministic runs. Only parameters with a `distribution` vary.
"""

import numpy as np
import pandas as pd

from .cohort import Prepared, simulate, yearly_totals
from .draws import Draws
from .entrants import GENDERS
from .params import Distribution, KefuParams

QUANTILES = {"p2_5": 0.025, "p10": 0.10, "p50": 0.50, "p90": 0.90, "p97_5": 0.975}


def _inverse_cdf(dist: Distribution, u: np.ndarray) -> np.ndarray:
    low, high = dist.low, dist.high
    if high == low:  # zero spread: exactly the value, whatever u is
        return np.full_like(u, low)
    if dist.kind == "uniform":
        return low + (high - low) * u
    mode = low if dist.mode is None else dist.mode
    cut = (mode - low) / (high - low)
    left = low + np.sqrt(u * (high - low) * (mode - low))
    right = high - np.sqrt((1 - u) * (high - low) * (high - mode))
    return np.where(u < cut, left, right)


def sample(params: KefuParams, n: int, seed: int | None = 0) -> Draws:
    """n draws: one uniform stream per uncertain parameter, in the fixed UNCERTAIN_PATHS order."""
    rng = np.random.default_rng(seed)
    draws = Draws.at_values(params, n)
    for path, record in params.uncertain():
        draws = draws.with_column(path, _inverse_cdf(record.distribution, rng.random(n)))
    return draws


def _yearly_cost(prep: Prepared, draws: Draws, kefu: bool = False):
    flows = simulate(prep, draws)
    return yearly_totals(prep, flows.kefu_cost if kefu else flows.cost)


def monte_carlo(
    prep: Prepared,
    n_draws: int = 1000,
    seed: int | None = 0,
    kefu: bool = False,
    by_year: bool = True,
):
    """Cost quantiles by gender (K, M, T): columns year, gender, p2_5 … p97_5, mean,
    deterministic. p10–p90 is the 80 % band, p2_5–p97_5 the 95 % band. With by_year=False one
    row per gender for the whole horizon's total, with `period` ('2019–2023') instead of year;
    the same seed gives the same draws either way."""
    draws = sample(prep.params, n_draws, seed)
    years, cost = _yearly_cost(prep, draws, kefu)
    _, point = _yearly_cost(prep, Draws.at_values(prep.params), kefu)
    periods: list[tuple[dict, int | slice]] = [({"year": int(y)}, j) for j, y in enumerate(years)]
    if not by_year:
        periods = [({"period": f"{years[0]}–{years[-1]}"}, slice(None))]
    rows = []
    for key, j in periods:
        for gi, gender in enumerate((*GENDERS, "T")):
            values = cost[:, gi, j] if by_year else cost[:, gi, :].sum(axis=1)
            row = {**key, "gender": gender}
            row.update({k: float(np.quantile(values, q)) for k, q in QUANTILES.items()})
            row["mean"] = float(values.mean())
            row["deterministic"] = float(point[0, gi, j].sum())
            rows.append(row)
    return pd.DataFrame(rows)


def tornado(prep: Prepared, by_year: bool = False, kefu: bool = False) -> pd.DataFrame:
    """Cost with one parameter at its low and at its high end, the others at their values.
    Total over the horizon (or per year with by_year), sorted by swing, largest first."""
    params = prep.params
    uncertain = params.uncertain()
    n = 1 + 2 * len(uncertain)
    draws = Draws.at_values(params, n)
    for i, (path, record) in enumerate(uncertain):
        column = draws[path].copy()
        column[1 + 2 * i] = record.distribution.low
        column[2 + 2 * i] = record.distribution.high
        draws = draws.with_column(path, column)
    years, cost = _yearly_cost(prep, draws, kefu)
    total = cost[:, 2, :]  # gender T
    rows = []
    for i, (path, record) in enumerate(uncertain):
        periods = [(int(y), total[:, j]) for j, y in enumerate(years)] if by_year else []
        if not by_year:
            periods = [(f"{years[0]}–{years[-1]}", total.sum(axis=1))]
        for period, values in periods:
            low, high = values[1 + 2 * i], values[2 + 2 * i]
            rows.append(
                {
                    "parameter": path,
                    "label": record.label or path,
                    "period": period,
                    "value": record.value,
                    "low": record.distribution.low,
                    "high": record.distribution.high,
                    "cost_at_low_kr": low,
                    "cost_at_high_kr": high,
                    "cost_baseline_kr": values[0],
                    "swing_kr": abs(high - low),
                }
            )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values(["period", "swing_kr"], ascending=[True, False], ignore_index=True)
