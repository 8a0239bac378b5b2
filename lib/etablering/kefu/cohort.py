"""The cohort arithmetic, on arrays shaped (draws, gender, month).

Timing: someone entering in month m with a programme of d months is in the programme in months
m … m+d−1 and exits at month s = m+d. Of the exits, (1 − in-work share) × need share go on
bistånd in month s. A person k months after exit stays on bistånd into month k+1 with
probability 1 − h(k), so survival S(0) = 1 and S(k) = Π_{j<k} (1 − h(j)).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .draws import Draws
from .entrants import GENDERS, Entrants
from .households import cost_per_person_month, households_per_person
from .params import KefuParams, Scenario


@dataclass(frozen=True)
class Prepared:
    """Everything a run needs except the per-draw parameter values."""

    params: KefuParams
    scenario_name: str
    scenario: Scenario
    entrants: Entrants
    months: pd.PeriodIndex  # first entrant month … December of the horizon's last year
    in_horizon: np.ndarray  # (T,) bool
    exit_table: pd.DataFrame  # exit_year, gender, in_work_share, level, note
    exit_base: np.ndarray  # (2, T) in-work share for someone exiting in month t
    start_year: int
    end_year: int


@dataclass(frozen=True)
class Flows:
    """(draws, 2, T) arrays; the kefu_* ones use KEFU's narrower scope."""

    entrants: np.ndarray
    in_programme: np.ndarray
    exits: np.ndarray
    to_bistand: np.ndarray
    on_bistand: np.ndarray
    exited_not_on_bistand: np.ndarray  # cumulative: in work/studies or not needing bistånd
    left_bistand: np.ndarray  # cumulative: left bistånd after a spell
    households: np.ndarray
    cost: np.ndarray
    kefu_to_bistand: np.ndarray
    kefu_on_bistand: np.ndarray
    kefu_households: np.ndarray
    kefu_cost: np.ndarray


def _place(entrants: Entrants, months: pd.PeriodIndex, draws: Draws) -> np.ndarray:
    arr = entrants.array(draws)
    out = np.zeros((draws.n, 2, len(months)))
    n = min(len(entrants.months), len(months))  # both start at the first entrant month
    out[:, :, :n] = arr[:, :, :n]
    return out


def _shift(a: np.ndarray, lag: int) -> np.ndarray:
    out = np.zeros_like(a)
    if lag < a.shape[-1]:
        out[..., lag:] = a[..., : a.shape[-1] - lag]
    return out


def _exit_share(prep: Prepared, draws: Draws) -> np.ndarray:
    """(draws, 2, T). Draws move the data value by the parameter's deviation (percentage points),
    so the uncertainty about a kommun vs its län/riket applies also when data exist."""
    p = prep.params.exit_share
    shift = np.stack(
        [draws["exit_share.women"] - p.women.value, draws["exit_share.men"] - p.men.value], axis=1
    )
    share = np.clip(prep.exit_base[None, :, :] + shift[:, :, None], 0.0, 1.0)
    if prep.scenario.women_as_men:
        share[:, 0, :] = share[:, 1, :]
    if prep.scenario.exit_share_target is not None:
        share = np.maximum(share, prep.scenario.exit_share_target)
    return share


def _hazard(prep: Prepared, draws: Draws, length: int) -> np.ndarray:
    """(draws, 2, K) monthly probability of leaving bistånd k months after exit."""
    base = np.zeros((2, length))
    for piece in prep.params.hazard.pieces:
        base[0, piece.from_month :] = piece.women.value
        base[1, piece.from_month :] = piece.men.value
    return np.minimum(1.0, base[None, :, :] * draws["hazard.multiplier"][:, None, None])


def _survival(hazard: np.ndarray) -> np.ndarray:
    stay = np.cumprod(1.0 - hazard, axis=-1)
    surv = np.ones_like(hazard)
    surv[..., 1:] = stay[..., :-1]
    return surv


def _convolve(inflow: np.ndarray, kernel: np.ndarray, max_lag: int | None = None) -> np.ndarray:
    """out[t] = Σ_k inflow[t−k] · kernel[k] (k < max_lag), vectorised over draws and gender."""
    T = inflow.shape[-1]
    out = np.zeros_like(inflow)
    for k in range(min(T, max_lag if max_lag is not None else T)):
        out[..., k:] += inflow[..., : T - k] * kernel[..., k : k + 1]
    return out


def simulate(prep: Prepared, draws: Draws) -> Flows:
    params, months = prep.params, prep.months
    T = len(months)
    entrants = _place(prep.entrants, months, draws)
    exits = sum(
        share.value * _shift(entrants, months_in)
        for months_in, share in params.establishment.durations.items()
    )
    in_programme = np.cumsum(entrants, axis=-1) - np.cumsum(exits, axis=-1)
    need = draws["need_share"][:, None, None]
    to_bistand = exits * (1.0 - _exit_share(prep, draws)) * need
    exited_not_on_bistand = np.cumsum(exits - to_bistand, axis=-1)

    hazard = _hazard(prep, draws, T)
    survival = _survival(hazard)
    on_bistand = _convolve(to_bistand, survival)
    # Leavers counted from the hazard itself, so conservation checks the survival recursion.
    outflow = _convolve(to_bistand, survival * hazard)
    left_bistand = _shift(np.cumsum(outflow, axis=-1), 1)

    years = months.year.to_numpy()
    unique_years, year_index = np.unique(years, return_inverse=True)
    per_person = cost_per_person_month(unique_years, params, draws)[:, None, year_index]
    hpp = households_per_person(params)

    kefu_in = to_bistand * prep.in_horizon[None, None, :]
    kefu_on = _convolve(kefu_in, survival, int(params.kefu_scope.months_after_exit.value))
    return Flows(
        entrants=entrants,
        in_programme=in_programme,
        exits=exits,
        to_bistand=to_bistand,
        on_bistand=on_bistand,
        exited_not_on_bistand=exited_not_on_bistand,
        left_bistand=left_bistand,
        households=on_bistand * hpp,
        cost=on_bistand * per_person,
        kefu_to_bistand=kefu_in,
        kefu_on_bistand=kefu_on,
        kefu_households=kefu_on * hpp,
        kefu_cost=kefu_on * per_person,
    )


def yearly_totals(prep: Prepared, monthly: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum (draws, 2, T) over the months of each horizon year -> (years, (draws, 3, Y)) with
    gender K, M, T. Summing month slices keeps the arithmetic identical for any number of draws."""
    years = np.arange(prep.start_year, prep.end_year + 1)
    month_years = prep.months.year.to_numpy()
    out = np.zeros((monthly.shape[0], 3, len(years)))
    for j, year in enumerate(years):
        part = monthly[:, :, month_years == year].sum(axis=-1)
        out[:, :2, j] = part
        out[:, 2, j] = part[:, 0] + part[:, 1]
    return years, out


__all__ = ["GENDERS", "Flows", "Prepared", "simulate", "yearly_totals"]
