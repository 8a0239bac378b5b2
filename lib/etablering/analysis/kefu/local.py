"""The kommun's own level of bistånd, from Socialstyrelsen's statistics in the panel.

- *Betalningsnivå*: utbetalt bistånd per biståndshushåll (BISTAND_KR_PER_HOUSEHOLD) against riket's, the mean of
  the yearly ratios 2015–2022, shrunk towards 1 with weight H / (H + κ) where H is the
  kommun's number of biståndshushåll (BISTAND_HOUSEHOLDS). It carries local rents, household sizes and
  practice; riket is 1 by definition, so the national calibration holds on average.
- *Bistånd under etableringen*: adults on bistånd whose försörjningshinder is unemployment with
  etableringsersättning (BISTAND_ETABLERING_SHARE × BISTAND_ADULTS_HINDER) per person enrolled (ENROLLED), against riket's,
  shrunk the same way with the enrolled as weight.
- *Beroende av bistånd*: försörjningsstöd as a share of refugees' net income (REFUGEES_BISTAND_SHARE, refugees
  20–64 in the kommun whatever their years in Sweden) against riket's, year by year, shrunk
  towards 1 with weight L / (L + κ_dep), L = everyone who left the programme 2014– (LEFT).
  It scales the need after the programme: Jönköping's refugees live on bistånd about half as
  much as riket's, Malmö's 1,7 times. A centred three-year mean evens out single years; after
  the data: as the last year.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...data import kpis, panel
from .params import KefuParams

YEARS = range(2015, 2023)
TOPUP_SHRINKAGE = 500  # enrolled person-years
SMOOTH = 3  # years in the centred moving mean of the REFUGEES_BISTAND_SHARE ratio


@dataclass(frozen=True)
class Local:
    level: float  # factor on kronor per household-month
    level_own: float  # the unshrunk ratio (NaN without data)
    level_weight: float
    topup: float  # factor on bistånd during the programme
    topup_own: float
    topup_weight: float
    dependency: float  # REFUGEES_BISTAND_SHARE kommun / riket, mean of the years (unshrunk)
    households: float  # mean biståndshushåll per year (BISTAND_HOUSEHOLDS)
    dependency_years: tuple[tuple[int, float], ...] = ()  # (year, unshrunk ratio)
    dependency_weight: float = 0.0

    @classmethod
    def neutral(cls) -> "Local":
        return cls(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, float("nan"))

    def dependency_factor(self, years, future_years: int = 3) -> dict[int, float]:
        """{year: shrunk factor} for every year asked; years without a value take the nearest
        earlier one (the first one before the first), years after the data the last one."""
        raw = dict(self.dependency_years)
        if raw and SMOOTH > 1:  # centred moving mean over the years that have a value
            keys = sorted(raw)
            half = SMOOTH // 2
            raw = {
                y: float(np.mean([raw[k] for k in keys[max(0, i - half) : i + half + 1]]))
                for i, y in enumerate(keys)
            }
        if not raw:
            return dict.fromkeys((int(y) for y in years), 1.0)
        w = self.dependency_weight
        known = sorted(raw)
        recent = raw[known[-1]]  # as the last year with data
        out = {}
        for year in (int(y) for y in years):
            if year > known[-1]:
                r = recent
            else:
                before = [y for y in known if y <= year]
                r = raw[before[-1]] if before else raw[known[0]]
            out[year] = w * r + (1 - w)
        return out


IDS = [
    kpis.BISTAND_KR_PER_HOUSEHOLD,
    kpis.BISTAND_HOUSEHOLDS,
    kpis.BISTAND_TKR,
    kpis.BISTAND_ETABLERING_SHARE,
    kpis.BISTAND_ADULTS_HINDER,
    kpis.ENROLLED,
    kpis.REFUGEES_BISTAND_SHARE,
]


def local_table(kpi_values: pd.DataFrame) -> pd.DataFrame:
    """(area_code, year) × the KPIs above, real values, totals only."""
    rows = panel.values(kpi_values, IDS, genders=["T"]).dropna(subset=["value"])
    rows = rows[rows["year"].isin(list(YEARS))]
    wide = rows.pivot_table(index=["area_code", "year"], columns="kpi", values="value")
    return wide.reindex(columns=IDS)


def _sum_area(table: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """A län as the sum of its kommuner: counts added, kr/hushåll and shares recomputed."""
    part = table[table.index.get_level_values("area_code").isin(codes)]
    g = part.groupby(level="year")
    out = pd.DataFrame(index=sorted(set(part.index.get_level_values("year"))))
    hh = part[kpis.BISTAND_HOUSEHOLDS]
    tkr = part[kpis.BISTAND_TKR]
    both = hh.notna() & tkr.notna()
    out[kpis.BISTAND_KR_PER_HOUSEHOLD] = (
        tkr[both].groupby(level="year").sum() * 1000 / hh[both].groupby(level="year").sum()
    )
    out[kpis.BISTAND_HOUSEHOLDS] = g[kpis.BISTAND_HOUSEHOLDS].sum(min_count=1)
    topup = part[kpis.BISTAND_ETABLERING_SHARE] / 100 * part[kpis.BISTAND_ADULTS_HINDER]
    ok = topup.notna() & part[kpis.ENROLLED].notna()
    adults = topup[ok].groupby(level="year").sum()
    enrolled = part[kpis.ENROLLED][ok].groupby(level="year").sum()
    out["topup_adults"] = adults
    out["enrolled_topup"] = enrolled
    out[kpis.REFUGEES_BISTAND_SHARE] = np.nan
    return out


def _one(table: pd.DataFrame, area_code: str) -> pd.DataFrame:
    if area_code not in table.index.get_level_values("area_code"):
        return pd.DataFrame()
    part = table.xs(area_code, level="area_code").copy()
    topup = part[kpis.BISTAND_ETABLERING_SHARE] / 100 * part[kpis.BISTAND_ADULTS_HINDER]
    ok = topup.notna() & part[kpis.ENROLLED].notna()
    part["topup_adults"] = topup.where(ok)
    part["enrolled_topup"] = part[kpis.ENROLLED].where(ok)
    return part


def local_factors(
    table: pd.DataFrame,
    codes: list[str],
    params: KefuParams,
    riket: pd.DataFrame | None = None,
    leavers: float = 0.0,
) -> Local:
    """The factors for one kommun (one code) or a län (its kommuner summed); riket gives 1."""
    riket = _one(table, "0000") if riket is None else riket
    if codes == ["0000"] or riket.empty:
        return Local.neutral()
    own = _one(table, codes[0]) if len(codes) == 1 else _sum_area(table, codes)
    if own.empty:
        return Local.neutral()
    kappa = params.local.shrinkage_households.value
    ratio = (own[kpis.BISTAND_KR_PER_HOUSEHOLD] / riket[kpis.BISTAND_KR_PER_HOUSEHOLD]).dropna()
    households = float(own[kpis.BISTAND_HOUSEHOLDS].mean()) if len(ratio) else 0.0
    level_own = float(ratio.mean()) if len(ratio) else float("nan")
    w = households / (households + kappa) if len(ratio) else 0.0
    level = w * (level_own if len(ratio) else 1.0) + (1 - w)

    r_top = riket["topup_adults"].sum() / riket["enrolled_topup"].sum()
    adults, enrolled = own["topup_adults"].sum(), own["enrolled_topup"].sum()
    topup_own = float(adults / enrolled / r_top) if enrolled > 0 else float("nan")
    wt = enrolled / (enrolled + TOPUP_SHRINKAGE) if enrolled > 0 else 0.0
    topup = wt * (topup_own if enrolled > 0 else 1.0) + (1 - wt)

    dep = (own[kpis.REFUGEES_BISTAND_SHARE] / riket[kpis.REFUGEES_BISTAND_SHARE]).dropna()
    if len(codes) > 1:  # a län: the members' ratios weighted by their population is not in
        dep = pd.Series(
            dtype=float
        )  # the panel; REFUGEES_BISTAND_SHARE is not summable, so 1 (named)
    kappa_dep = params.local.shrinkage_leavers.value
    wd = leavers / (leavers + kappa_dep) if len(dep) else 0.0
    return Local(
        level=float(level),
        level_own=level_own,
        level_weight=float(w),
        topup=float(topup),
        topup_own=topup_own,
        topup_weight=float(wt),
        dependency=float(dep.mean()) if len(dep) else float("nan"),
        households=households,
        dependency_years=tuple((int(y), float(v)) for y, v in dep.items()),
        dependency_weight=float(wd),
    )


def actual_bistand(
    kpi_values: pd.DataFrame, population: pd.DataFrame | None = None
) -> pd.DataFrame:
    """area_code, year, total_kr (BISTAND_TKR × 1 000) and refugee_kr (BISTAND_KR_PER_INV − BISTAND_EXCL_REFUGEES_KR_PER_INV, × the
    population the KPIs divide by: POPULATION of the same year) for every area with data."""
    ids = [kpis.BISTAND_TKR, kpis.BISTAND_KR_PER_INV, kpis.BISTAND_EXCL_REFUGEES_KR_PER_INV]
    rows = panel.values(kpi_values, ids + [kpis.POPULATION], genders=["T"])
    wide = rows.dropna(subset=["value"]).pivot_table(
        index=["area_code", "year"], columns="kpi", values="value"
    )
    wide = wide.reindex(columns=ids + [kpis.POPULATION])
    out = pd.DataFrame(index=wide.index)
    out["total_kr"] = wide[kpis.BISTAND_TKR] * 1000
    per_inv = wide[kpis.BISTAND_KR_PER_INV] - wide[kpis.BISTAND_EXCL_REFUGEES_KR_PER_INV]
    out["refugee_kr"] = per_inv * wide[kpis.POPULATION]
    return out.reset_index()


__all__ = ["Local", "actual_bistand", "local_factors", "local_table"]
