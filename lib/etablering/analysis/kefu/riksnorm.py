"""Riksnormen för försörjningsstöd: the household norm per year, from the parameter table.

Years after the table are indexed with `riksnorm.indexation_rate` (and labelled so), at most
`riksnorm.max_years_beyond_table` years; beyond that, or before the table, is an error.
"""

from enum import StrEnum

import numpy as np

from ...core.errors import ParameterError
from .params import CHILD_BANDS, KefuParams, RiksnormYear


class NormStatus(StrEnum):
    """Where a year's norm comes from: the published table, the table partly or wholly
    derived from published totals, or the last table year indexed forward."""

    PUBLISHED = "published"
    PARTLY_DERIVED = "partly_derived"
    DERIVED = "derived"
    INDEXED = "indexed"


_BAND_LIMITS = ((0, 0, "0"), (1, 2, "1-2"), (3, 3, "3"), (4, 6, "4-6"), (7, 10, "7-10"))
_BAND_LIMITS += ((11, 14, "11-14"), (15, 18, "15-18"), (19, 20, "19-20"))


def age_band(age: int) -> str:
    for low, high, band in _BAND_LIMITS:
        if low <= age <= high:
            return band
    raise ParameterError(
        f"Barnets ålder {age} ligger utanför riksnormens barngrupper 0–20 år (parametern children_ages)."
    )


def check_year(year: int, params: KefuParams) -> None:
    rn = params.riksnorm
    if year < rn.first_year:
        raise ParameterError(
            f"Riksnormen för {year} finns inte: tabellen (riksnorm.years) börjar {rn.first_year}."
        )
    if year > rn.last_allowed_year:
        raise ParameterError(
            f"Riksnormen för {year} finns inte: tabellen (riksnorm.years) slutar {rn.last_year} och "
            f"räknas upp högst {int(rn.max_years_beyond_table.value)} år "
            f"(riksnorm.max_years_beyond_table), alltså till och med {rn.last_allowed_year}."
        )


def table_year(year: int, params: KefuParams) -> tuple[RiksnormYear, int]:
    """The table year to start from and how many years to index it forward."""
    check_year(year, params)
    last = params.riksnorm.last_year
    return params.riksnorm.years[min(year, last)], max(0, year - last)


def year_status(year: int, params: KefuParams) -> NormStatus:
    """How the year's norm is known (INDEXED: from riksnorm.last_year at
    riksnorm.indexation_rate per year)."""
    row, steps = table_year(year, params)
    if steps:
        return NormStatus.INDEXED
    flags = [r.derived for r in (row.single_adult, row.couple)]
    flags += [r.derived for r in row.gemensamma.values()]
    flags += [r.derived for r in row.children.values()]
    if not any(flags):
        return NormStatus.PUBLISHED
    return NormStatus.DERIVED if all(flags) else NormStatus.PARTLY_DERIVED


def gemensamma(row: RiksnormYear, size: float) -> float:
    """Gemensamma hushållskostnader for `size` persons; fractional sizes (average households)
    are interpolated, and above 7 each person adds the 6→7 difference, as the rule says."""
    if size < 1:
        raise ParameterError(f"Hushållet måste ha minst en person, fick {size}.")
    values = [row.gemensamma[n].value for n in range(1, 8)]
    if size >= 7:
        return values[6] + (size - 7) * (values[6] - values[5])
    return float(np.interp(size, range(1, 8), values))


def adults_cost(row: RiksnormYear, adults: float) -> float:
    """Personliga kostnader for the adults: one adult is ensamstående, two are sambor. A third
    adult (not sambo) gets the ensamstående amount, as Socialstyrelsen describes."""
    if adults < 1:
        raise ParameterError(
            f"Hushållet måste ha minst en vuxen (parametern adults), fick {adults}."
        )
    if adults == 1:
        return row.single_adult.value
    return row.couple.value + (adults - 2) * row.single_adult.value


def norm_parts(
    year: int, adults: int, children: dict[str, float], params: KefuParams
) -> tuple[float, int]:
    """(norm in the table year, years to index forward). Monte Carlo draws the indexation rate,
    so the two parts are kept apart until the caller applies its own rate."""
    row, steps = table_year(year, params)
    total_children = sum(children.values())
    norm = adults_cost(row, adults)
    norm += sum(row.children[band].value * n for band, n in children.items())
    norm += gemensamma(row, adults + total_children)
    return norm, steps


def norm_for_counts(
    year: int, adults: int, children: dict[str, float], params: KefuParams
) -> float:
    """Household norm, kr/month, for `children` given as (possibly average) counts per band.
    Indexed years are not rounded: they are a projection, not a table."""
    base, steps = norm_parts(year, adults, children, params)
    return base * (1 + params.riksnorm.indexation_rate.value) ** steps


def household_norm(year: int, adults: int, children_ages: list[int], params: KefuParams) -> float:
    """Riksnormen for one household, kr/month: personliga kostnader for every member plus
    gemensamma hushållskostnader for the household size."""
    counts: dict[str, float] = dict.fromkeys(CHILD_BANDS, 0)
    for age in children_ages:
        counts[age_band(int(age))] += 1
    return norm_for_counts(year, adults, counts, params)
