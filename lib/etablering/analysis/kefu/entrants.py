"""Who enters and who leaves the establishment programme, by year and gender, from Kolada.

ENROLLED (inskrivna under året) counts everyone enrolled at some time in the year, so it is not
the number of new entrants. With LEFT (lämnat under året) the stock carried into year t is
ENROLLED(t−1) − LEFT(t−1), and the new entrants are what ENROLLED(t) holds beyond it:

    new(t) = ENROLLED(t) − (ENROLLED(t−1) − LEFT(t−1))

(the kommun's own count at December's folkbokföring, so people who moved in during the
programme count where they live). The first year has no previous year: with at most 24
months in the programme, everyone enrolled in year t who has neither left in t nor in t+1
entered in t, so new(first) = ENROLLED − LEFT(first) − LEFT(first+1), a lower bound (early
leavers of that year are missed).

Leavers are LEFT as published. Small counts Kolada leaves out are filled, and each fill is
named: one gender from the total minus the other, a gender split from the area's own other
years, a missing total of leavers from the programme's arithmetic (the entrants two years
before, at most the enrolled), a single year without enrolled between two with them from
their mean (Öckerö 2015: the cohorts ended in 2014 and its cost was 0). Negative new entrants
(people moving out faster than new ones arrive) are set to 0 and named. A fill is a `Fill`
record (what, year, numbers), never a sentence: the report words it
(notebooks/texts/03-forsorjningsstod.toml).
"""

from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np
import pandas as pd

from ...core.gender import BOTH, Gender
from ...data import kpis, panel

GENDERS = tuple(map(str, BOTH))  # plain "K", "M": they become column labels


class FillKind(StrEnum):
    OTHER_FROM_TOTAL = "other_from_total"  # one gender is the total minus the other
    SPLIT_BY_SHARE = "split_by_share"  # only the total: split by the area's share of women
    LEFT_FROM_ENTRANTS = "left_from_entrants"  # leavers missing: the entrants two years before
    NEGATIVE_ENTRANTS = "negative_entrants"  # more moved out than came in: set to 0
    ENROLLED_BETWEEN = "enrolled_between"  # one year without enrolled: its neighbours' mean
    ENROLLED_END = "enrolled_end"  # years without any enrolled: the cohorts end before them


class Count(StrEnum):
    ENROLLED = "enrolled"
    LEFT = "left"


@dataclass(frozen=True)
class Fill:
    """One gap in Kolada that was filled, with the numbers behind the fill."""

    kind: FillKind
    year: int
    count: Count | None = None  # which count was filled
    gender: Gender | None = None  # the gender filled (negative entrants: the gender set to 0)
    total: float | None = None
    known: float | None = None  # the other gender's count, or the value computed
    share: float | None = None  # the share of women used for a split (0–1)
    area_code: str = ""  # set when a län's cohorts name their kommuner's fills


@dataclass(frozen=True)
class Cohorts:
    """Yearly counts by gender (columns K, M; index year) for one area."""

    area_code: str
    enrolled: pd.DataFrame  # ENROLLED after fills
    left: pd.DataFrame  # LEFT after fills
    entrants: pd.DataFrame  # derived new entrants
    received: pd.Series  # RECEIVED kommunmottagna (all ages), for the check
    notes: list[Fill] = field(default_factory=list)
    members: int = 1  # kommuner summed

    @property
    def years(self) -> list[int]:
        return [int(y) for y in self.entrants.index]

    @property
    def first_year(self) -> int:
        return self.years[0]

    @property
    def last_year(self) -> int:
        return self.years[-1]

    def stock_end(self) -> pd.DataFrame:
        """In the programme on 31 December: enrolled during the year minus those who left."""
        return (self.enrolled - self.left).clip(lower=0)

    def stock_start(self) -> pd.DataFrame:
        return (self.enrolled - self.entrants).clip(lower=0)

    def table(self) -> pd.DataFrame:
        """year × (enrolled, left, entrants, received) with K, M, T — for the report's box."""
        out = {}
        for name, frame in (
            ("enrolled", self.enrolled),
            ("left", self.left),
            ("entrants", self.entrants),
        ):
            for g in GENDERS:
                out[(name, g)] = frame[g]
            out[(name, "T")] = frame.sum(axis=1)
        out[("received", "T")] = self.received.reindex(self.entrants.index)
        return pd.DataFrame(out)

    def scaled(self, factor: float) -> "Cohorts":
        return Cohorts(
            self.area_code,
            self.enrolled * factor,
            self.left * factor,
            self.entrants * factor,
            self.received * factor,
            list(self.notes),
            self.members,
        )


def _frame(rows: pd.DataFrame, kpi_id: str, area: str) -> pd.DataFrame:
    part = rows[(rows["kpi"] == kpi_id) & (rows["area_code"] == area)]
    wide = part.pivot_table(index="year", columns="gender", values="value", aggfunc="first")
    return wide.reindex(columns=["K", "M", "T"])


def _fill_genders(
    wide: pd.DataFrame, what: Count, notes: list[Fill], years
) -> tuple[pd.DataFrame, set[int]]:
    """K and M for every year with a total (or both genders); returns the years without any."""
    wide = wide.reindex(years)
    out = pd.DataFrame(index=wide.index, columns=list(GENDERS), dtype=float)
    both = wide["K"].notna() & wide["M"].notna()
    known_share = (wide["K"] / (wide["K"] + wide["M"]))[both & ((wide["K"] + wide["M"]) > 0)]
    women_share = float(known_share.mean()) if len(known_share) else 0.5
    unknown = set()
    for year, row in wide.iterrows():
        k, m, t = row["K"], row["M"], row["T"]
        if pd.notna(k) and pd.notna(m):
            out.loc[year] = [k, m]
        elif pd.notna(t) and (pd.notna(k) or pd.notna(m)):
            known, g = (k, "K") if pd.notna(k) else (m, "M")
            other = max(0.0, t - known)
            out.loc[year] = [known, other] if g == "K" else [other, known]
            notes.append(
                Fill(FillKind.OTHER_FROM_TOTAL, int(year), what, Gender(g).other, t, known)
            )
        elif pd.notna(t):
            out.loc[year] = [t * women_share, t * (1 - women_share)]
            notes.append(Fill(FillKind.SPLIT_BY_SHARE, int(year), what, total=t, share=women_share))
        else:
            unknown.add(int(year))
    return out, unknown


def derive(
    enrolled: pd.DataFrame, left: pd.DataFrame, missing_left: set[int], notes: list[Fill]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """New entrants by stock and flow; fills missing leavers from the programme's arithmetic."""
    years = list(enrolled.index)
    entrants = pd.DataFrame(0.0, index=enrolled.index, columns=list(GENDERS))
    left = left.copy()
    for i, year in enumerate(years):
        if year in missing_left:
            two_before = (
                entrants.loc[year - 2] if year - 2 in entrants.index else enrolled.loc[year]
            )
            left.loc[year] = np.minimum(two_before.to_numpy(float), enrolled.loc[year].to_numpy())
            notes.append(
                Fill(FillKind.LEFT_FROM_ENTRANTS, int(year), Count.LEFT, known=left.loc[year].sum())
            )
        if i == 0:
            nxt = left.loc[years[1]] if len(years) > 1 and years[1] not in missing_left else 0.0
            new = enrolled.loc[year] - left.loc[year] - nxt
        else:
            prev = years[i - 1]
            new = enrolled.loc[year] - (enrolled.loc[prev] - left.loc[prev])
        if (new < 0).any():
            for g in GENDERS:
                if new[g] < 0:
                    notes.append(
                        Fill(FillKind.NEGATIVE_ENTRANTS, int(year), gender=g, known=new[g])
                    )
        entrants.loc[year] = new.clip(lower=0).to_numpy(float)
    return entrants, left


def cohorts_for(kpi_values: pd.DataFrame, area_codes, area_code: str | None = None) -> Cohorts:
    """Cohorts for one area (one code) or the sum over several kommuner (a län, whose own code
    `area_code` the sum then carries)."""
    codes = [area_codes] if isinstance(area_codes, str) else list(area_codes)
    rows = panel.values(kpi_values, [kpis.ENROLLED, kpis.LEFT, kpis.RECEIVED], codes)
    rows = rows.dropna(subset=["value"])
    return combine([one_area(rows, c) for c in codes], codes, area_code)


def combine(parts: list["Cohorts | None"], codes: list[str], area_code: str | None) -> Cohorts:
    """The areas' cohorts (one_area's, None for an area without data) as one: the area itself
    when there is one, else their sum carrying `area_code`."""
    parts = [p for p in parts if p is not None]
    if not parts:
        years = pd.Index([], name="year", dtype=int)
        empty = pd.DataFrame(columns=list(GENDERS), index=years, dtype=float)
        return Cohorts(area_code or codes[0], empty, empty, empty, pd.Series(dtype=float), [], 0)
    if len(parts) == 1:
        c = parts[0]
        return Cohorts(
            area_code or c.area_code, c.enrolled, c.left, c.entrants, c.received, list(c.notes)
        )
    years = sorted(set().union(*[p.years for p in parts]))

    def total(attr):
        return sum(getattr(p, attr).reindex(years).fillna(0.0) for p in parts)

    received = sum(p.received.reindex(years) for p in parts)
    notes = [replace(n, area_code=p.area_code) for p in parts for n in p.notes]
    return Cohorts(
        area_code or "summa",
        total("enrolled"),
        total("left"),
        total("entrants"),
        received,
        notes,
        len(parts),
    )


def one_area(rows: pd.DataFrame, area: str) -> Cohorts | None:
    """One area's cohorts from its ENROLLED, LEFT and RECEIVED rows; None without any."""
    enrolled_raw = _frame(rows, kpis.ENROLLED, area)
    if enrolled_raw.dropna(how="all").empty:
        return None
    years = list(
        range(
            int(enrolled_raw.dropna(how="all").index.min()),
            int(enrolled_raw.dropna(how="all").index.max()) + 1,
        )
    )
    notes: list[Fill] = []
    enrolled, no_enrolled = _fill_genders(enrolled_raw, Count.ENROLLED, notes, years)
    for year in sorted(no_enrolled):
        if {year - 1, year + 1} & no_enrolled:
            continue  # two years or more in a row: too long to bridge
        enrolled.loc[year] = (enrolled.loc[year - 1] + enrolled.loc[year + 1]) / 2
        notes.append(
            Fill(FillKind.ENROLLED_BETWEEN, year, Count.ENROLLED, known=enrolled.loc[year].sum())
        )
    no_enrolled = {y for y in no_enrolled if enrolled.loc[y].isna().any()}
    if no_enrolled:  # a year without any count: the cohorts end before it
        last = min(no_enrolled) - 1
        notes.append(Fill(FillKind.ENROLLED_END, min(no_enrolled), Count.ENROLLED))
        years = [y for y in years if y <= last]
        enrolled = enrolled.loc[years]
    left, no_left = _fill_genders(_frame(rows, kpis.LEFT, area), Count.LEFT, notes, years)
    entrants, left = derive(enrolled.astype(float), left.astype(float), no_left, notes)
    received = _frame(rows, kpis.RECEIVED, area)["T"].reindex(years)
    return Cohorts(area, enrolled.astype(float), left.astype(float), entrants, received, notes)


__all__ = [
    "GENDERS", "Cohorts", "Count", "Fill", "FillKind", "cohorts_for", "combine", "derive",
    "one_area",
]  # fmt: skip
