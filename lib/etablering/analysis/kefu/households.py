"""From households on försörjningsstöd to kronor.

The parameter file gives four household types as shares of the adults who leave the programme
(ensamstående with or without children, sambor with or without children). The model keeps two
kinds apart, because a couple is on bistånd only when neither partner has an income:

- *single*: one adult (the types with one adult, weighted by their shares);
- *couple*: two adults (the types with two adults).

A household's full monthly gap is riksnorm + rent − other income (floored at zero); what is paid
on average is `bistand.net_share` of that gap (other incomes such as bostadsbidrag and part
months), times the kommun's level (`local`).
"""

import math

import numpy as np
import pandas as pd

from .draws import Draws
from .params import HouseholdType, KefuParams
from .riksnorm import norm_parts

_RENT_TIERS = ("one_child", "two_children", "three_plus_children")
KINDS = ("single", "couple")


def couple_share(params: KefuParams) -> float:
    """Share of the adults who live with a partner."""
    return sum(t.share.value for t in params.households.values() if t.adults == 2)


def kind_weights(params: KefuParams, kind: str) -> dict[str, float]:
    """The types of one kind with their shares within it (summing to 1)."""
    adults = 1 if kind == "single" else 2
    types = {n: t.share.value for n, t in params.households.items() if t.adults == adults}
    total = sum(types.values())
    return {n: (s / total if total else 0.0) for n, s in types.items()}


def _rent_paths(household: HouseholdType) -> list[str]:
    base = "rent.single" if household.adults == 1 else "rent.couple"
    return [base] + [f"rent.{tier}" for tier in _RENT_TIERS]


def _rent(household: HouseholdType, year: int, params: KefuParams, draws: Draws) -> np.ndarray:
    """Rent ceiling for the type, grown from each ceiling's own year; an average household with
    a fractional number of children sits between the 0/1/2/3+-children ceilings."""
    growth = 1 + draws["rent_growth"]
    levels = [draws[p] * growth ** (year - params.get(p).year) for p in _rent_paths(household)]
    c = min(household.n_children, 3.0)
    lower = min(int(math.floor(c)), 2)
    frac = c - lower
    rent = levels[lower] * (1 - frac) + levels[lower + 1] * frac
    return rent * draws["rent_factor"]


def _income(household: HouseholdType, year: int, params: KefuParams, draws: Draws) -> np.ndarray:
    """Other income: per child (barnbidrag, the year's own amount where the table has one) and
    per household."""
    per_child = draws["other_income.per_child"] + params.other_income.per_child_shift(year)
    return per_child * household.n_children + draws["other_income.per_household"]


def _norm(household: HouseholdType, year: int, params: KefuParams, draws: Draws) -> np.ndarray:
    children = {band: n.value for band, n in household.children.items()}
    base, steps = norm_parts(year, household.adults, children, params)
    return base * (1 + draws["riksnorm.indexation_rate"]) ** steps


def type_gap(household: HouseholdType, year: int, params: KefuParams, draws: Draws) -> np.ndarray:
    """(draws,) full monthly gap for one household type: norm + rent − other income, ≥ 0."""
    gap = (
        _norm(household, year, params, draws)
        + _rent(household, year, params, draws)
        - _income(household, year, params, draws)
    )
    return np.maximum(0.0, gap)


def kind_cost(years, params: KefuParams, draws: Draws) -> np.ndarray:
    """(draws, 2, years): kronor paid per household-month for single and couple households
    (net_share of the full gap; the kommun's level is applied by the caller)."""
    out = np.zeros((draws.n, len(KINDS), len(years)))
    for ki, kind in enumerate(KINDS):
        for name, weight in kind_weights(params, kind).items():
            household = params.households[name]
            for j, year in enumerate(years):
                out[:, ki, j] += weight * type_gap(household, int(year), params, draws)
    return out * draws["bistand.net_share"][:, None, None]


def topup_per_month(years, params: KefuParams, draws: Draws) -> np.ndarray:
    """(draws, years): bistånd during the programme per participant-month, indexed with the
    riksnorm for a single adult from the parameter's price year."""
    rec = params.topup.per_participant_month
    single = params.households.get("single")
    out = np.zeros((draws.n, len(years)))
    for j, year in enumerate(years):
        if single is None:
            ratio = 1.0
        else:
            ratio = _norm(single, int(year), params, draws) / _norm(single, rec.year, params, draws)
        out[:, j] = draws["topup.per_participant_month"] * ratio
    return out


def household_table(year: int, params: KefuParams) -> pd.DataFrame:
    """One row per household type at the parameter values: what a report shows as the basis."""
    draws = Draws.at_values(params)
    net = params.bistand.net_share.value
    rows = []
    for name, household in params.households.items():
        norm = float(_norm(household, year, params, draws)[0])
        rent = float(_rent(household, year, params, draws)[0])
        income = float(_income(household, year, params, draws)[0])
        gap = max(0.0, norm + rent - income)
        rows.append(
            {
                "household_type": name,
                "adults": household.adults,
                "children": household.n_children,
                "share_of_adults": household.share.value,
                "riksnorm_kr": norm,
                "rent_kr": rent,
                "other_income_kr": income,
                "gap_kr": gap,
                "paid_kr": gap * net,
            }
        )
    return pd.DataFrame(rows)
