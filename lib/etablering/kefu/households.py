"""From persons on försörjningsstöd to households and kronor.

Each adult who needs bistånd belongs to a household type (share of adults); two sambor make
one household, so households per person = Σ share / adults. A household's monthly cost is
riksnorm + rent − other income, floored at zero (bistånd is never negative).
"""

import math

import numpy as np
import pandas as pd

from .draws import Draws
from .params import HouseholdType, KefuParams
from .riksnorm import norm_parts

_RENT_TIERS = ("one_child", "two_children", "three_plus_children")


def households_per_person(params: KefuParams) -> float:
    return sum(t.share.value / t.adults for t in params.households.values())


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


def _type_cost(household: HouseholdType, year: int, params: KefuParams, draws: Draws) -> np.ndarray:
    children = {band: n.value for band, n in household.children.items()}
    base, steps = norm_parts(year, household.adults, children, params)
    norm = base * (1 + draws["riksnorm.indexation_rate"]) ** steps
    income = _income(household, year, params, draws)
    return np.maximum(0.0, norm + _rent(household, year, params, draws) - income)


def cost_per_person_month(years, params: KefuParams, draws: Draws) -> np.ndarray:
    """(draws, years) array: kronor per month per adult on bistånd, household cost shared out."""
    out = np.zeros((draws.n, len(years)))
    for j, year in enumerate(years):
        for household in params.households.values():
            weight = household.share.value / household.adults
            out[:, j] += weight * _type_cost(household, int(year), params, draws)
    return out


def household_table(year: int, params: KefuParams) -> pd.DataFrame:
    """One row per household type at the parameter values: what a report shows as the basis."""
    draws = Draws.at_values(params)
    rows = []
    for name, household in params.households.items():
        children = {band: n.value for band, n in household.children.items()}
        base, steps = norm_parts(year, household.adults, children, params)
        norm = base * (1 + params.riksnorm.indexation_rate.value) ** steps
        rent = float(_rent(household, year, params, draws)[0])
        income = float(_income(household, year, params, draws)[0])
        rows.append(
            {
                "household_type": name,
                "adults": household.adults,
                "children": household.n_children,
                "share_of_adults": household.share.value,
                "riksnorm_kr": norm,
                "rent_kr": rent,
                "other_income_kr": income,
                "cost_kr": max(0.0, norm + rent - income),
            }
        )
    return pd.DataFrame(rows)
