"""Monte Carlo bands and a one-at-a-time sensitivity (tornado) for the projection.

All draws run through `cohort.simulate` at once (arrays with a draws axis). Only parameters
with a `distribution` vary; women's and men's outcome shifts are drawn together with the
correlation `outcomes.women_men_correlation` (a Gaussian copula), and the counts vary as well
(random variation in how many households end up on bistånd: small kommuner get wide bands).
The bands are "spann givet antagandena": they show what the assumptions allow, not every way
the world can differ from them.
"""

import numpy as np
import pandas as pd
from scipy.stats import norm as _normal

from .cohort import Prepared, simulate, yearly
from .draws import Draws
from .params import Distribution, KefuParams

QUANTILES = {"p2_5": 0.025, "p10": 0.10, "p50": 0.50, "p90": 0.90, "p97_5": 0.975}
MEASURES = ("cost", "cost_after", "cost_during", "kefu_cost")
PAIR = ("outcomes.women_shift", "outcomes.men_shift")


def _inverse_cdf(dist: Distribution, u: np.ndarray) -> np.ndarray:
    low, high = dist.low, dist.high
    if high == low:  # zero spread: exactly the value, whatever u is
        return np.full_like(u, low)
    if dist.kind == "uniform":
        return low + (high - low) * u
    if dist.kind == "loguniform":
        return low * (high / low) ** u
    mode = low if dist.mode is None else dist.mode
    cut = (mode - low) / (high - low)
    left = low + np.sqrt(u * (high - low) * (mode - low))
    right = high - np.sqrt((1 - u) * (high - low) * (high - mode))
    return np.where(u < cut, left, right)


def _uniforms(params: KefuParams, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One uniform stream per uncertain parameter in the fixed order; the outcome pair is
    correlated through normal scores."""
    out = {path: rng.random(n) for path, _ in params.uncertain()}
    if all(p in out for p in PAIR):
        rho = params.outcomes.women_men_correlation.value
        z1 = _normal.ppf(out[PAIR[0]])
        z2 = _normal.ppf(out[PAIR[1]])
        out[PAIR[1]] = _normal.cdf(rho * z1 + np.sqrt(1 - rho**2) * z2)
    return out


def sample(params: KefuParams, n: int, seed: int | None = 0) -> Draws:
    rng = np.random.default_rng(seed)
    draws = Draws.at_values(params, n)
    for path, u in _uniforms(params, n, rng).items():
        draws = draws.with_column(path, _inverse_cdf(params.get(path).distribution, u))
    return draws


def run_draws(
    prep: Prepared, n_draws: int, seed: int | None, counts: bool = True, window: bool = False
):
    """(draws, flows): the simulation for n draws (count noise from the same seed)."""
    draws = sample(prep.params, n_draws, seed)
    rng = np.random.default_rng(None if seed is None else seed + 1) if counts else None
    return draws, simulate(prep, draws, rng, window=window)


def _quantile_rows(values: np.ndarray, key: dict, point: float) -> dict:
    row = dict(key)
    qs = np.quantile(values, list(QUANTILES.values()))
    row.update(dict(zip(QUANTILES, map(float, qs), strict=True)))
    row["mean"] = float(values.mean())
    row["deterministic"] = float(point)
    return row


def monte_carlo(
    prep: Prepared,
    n_draws: int = 1000,
    seed: int | None = 0,
    periods: dict[str, tuple[int, int]] | None = None,
    counts: bool = True,
    changes: list[tuple[int, int]] | None = None,
) -> pd.DataFrame:
    """Quantiles per measure, year and gender (K, M, T): columns measure, year (or period),
    gender, p2_5 … p97_5, mean, deterministic. p10–p90 is the 80 % span, p2_5–p97_5 the 95 %
    span. With `periods` ({"2023–2026": (2023, 2026)}) also the totals over those years; with
    `changes` ([(2018, 2019)]) rows of measure "change" for the total cost from one year to
    the other (period "2018–2019"), from the same draws."""
    _, flows = run_draws(prep, n_draws, seed, counts)
    point = simulate(prep, Draws.at_values(prep.params), window=False)
    years = prep.years
    rows = []
    for measure in MEASURES:
        drawn = yearly(prep, getattr(flows, measure))  # (D, 3, Y)
        fixed = yearly(prep, getattr(point, measure))[0]
        for gi, gender in enumerate(("K", "M", "T")):
            for j, year in enumerate(years):
                key = {"measure": measure, "year": int(year), "period": "", "gender": gender}
                rows.append(_quantile_rows(drawn[:, gi, j], key, fixed[gi, j]))
            for label, (y0, y1) in (periods or {}).items():
                sel = (years >= y0) & (years <= y1)
                key = {"measure": measure, "year": -1, "period": label, "gender": gender}
                rows.append(
                    _quantile_rows(drawn[:, gi, sel].sum(axis=1), key, fixed[gi, sel].sum())
                )
    drawn = yearly(prep, flows.cost)[:, 2, :]
    fixed = yearly(prep, point.cost)[0, 2, :]
    for a, b in changes or []:
        if a in years and b in years:
            i, j = list(years).index(a), list(years).index(b)
            key = {"measure": "change", "year": b, "period": f"{a}–{b}", "gender": "T"}
            rows.append(_quantile_rows(drawn[:, j] - drawn[:, i], key, fixed[j] - fixed[i]))
    return pd.DataFrame(rows)


def tornado(prep: Prepared, years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Cost over `years` (default: the horizon) with one parameter at its low and at its high
    end, the others at their values; sorted by swing, largest first."""
    params = prep.params
    uncertain = params.uncertain()
    n = 1 + 2 * len(uncertain)
    draws = Draws.at_values(params, n)
    for i, (path, record) in enumerate(uncertain):
        column = draws[path].copy()
        column[1 + 2 * i] = record.distribution.low
        column[2 + 2 * i] = record.distribution.high
        draws = draws.with_column(path, column)
    y0, y1 = years or (prep.start_year, prep.end_year)
    sel = (prep.years >= y0) & (prep.years <= y1)
    total = yearly(prep, simulate(prep, draws, window=False).cost)[:, 2, sel].sum(axis=1)
    rows = []
    for i, (path, record) in enumerate(uncertain):
        low, high = total[1 + 2 * i], total[2 + 2 * i]
        rows.append(
            {
                "parameter": path,
                "label": record.label or path,
                "period": f"{y0}–{y1}",
                "value": record.value,
                "low": record.distribution.low,
                "high": record.distribution.high,
                "cost_at_low_kr": low,
                "cost_at_high_kr": high,
                "cost_baseline_kr": total[0],
                "swing_kr": abs(high - low),
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values("swing_kr", ascending=False, ignore_index=True)


__all__ = ["MEASURES", "QUANTILES", "monte_carlo", "run_draws", "sample", "tornado"]
