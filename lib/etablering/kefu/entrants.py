"""Who enters the etableringsprogram, by month and gender.

Preferred source: Kolada N00960 (K/M) for the kommun. N00960 counts everyone enrolled at some
time during the year, so it is scaled by `entrants.n00960_new_entrant_share` to approximate new
entrants. Otherwise: Migrationsverket's kommunmottagna (all categories) × share aged 20–64 ×
gender split. Yearly counts are spread evenly over the twelve months.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import kpis
from ..errors import MissingDataError, ParameterError
from ..fmt import number, percent
from .draws import Draws
from .params import KefuParams

GENDERS = ("K", "M")  # Kolada's codes: kvinnor, män
GENDER_LABELS = {"K": "kvinnor", "M": "män", "T": "totalt"}


@dataclass(frozen=True)
class Entrants:
    """Monthly entrants. `base` is scaled per draw: see `array`."""

    months: pd.PeriodIndex
    base: np.ndarray  # (T,) persons for "kommunmottagna", else (2, T) by gender
    kind: str  # "kolada_n00960" | "kommunmottagna" | "angivet"
    source: str  # a Swedish sentence for the report

    @property
    def first_year(self) -> int:
        return int(self.months[0].year)

    def array(self, draws: Draws) -> np.ndarray:
        """(draws, 2, T) entrants by gender and month."""
        if self.kind == "kommunmottagna":
            adults = self.base[None, :] * draws["population.share_aged_20_64"][:, None]
            women = draws["population.women_share"][:, None]
            return np.stack([adults * women, adults * (1 - women)], axis=1)
        if self.kind == "kolada_n00960":
            return self.base[None, :, :] * draws["entrants.n00960_new_entrant_share"][:, None, None]
        return np.broadcast_to(self.base, (draws.n, *self.base.shape)).copy()

    def table(self, params: KefuParams) -> pd.DataFrame:
        """Long table (month, gender, entrants) at the parameter values."""
        arr = self.array(Draws.at_values(params))[0]
        return pd.DataFrame(
            {
                "month": np.tile(self.months, 2),
                "gender": np.repeat(GENDERS, len(self.months)),
                "entrants": arr.reshape(-1),
            }
        )


def _months(years) -> pd.PeriodIndex:
    return pd.period_range(f"{min(years)}-01", f"{max(years)}-12", freq="M")


def _span(years) -> str:
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


def _spread(yearly: dict[int, float], months: pd.PeriodIndex) -> np.ndarray:
    return np.array([yearly.get(int(m.year), 0.0) / 12 for m in months])


def entrants_for_kommun(
    kommun_code: str,
    kommunmottagna: pd.DataFrame,
    kpi_values: pd.DataFrame | None,
    params: KefuParams,
) -> Entrants:
    """Entrants for one kommun from the processed tables (N00960 when present)."""
    kolada = _kolada_n00960(kommun_code, kpi_values)
    if kolada is not None:
        years = sorted(kolada)
        months = _months(years)
        base = np.stack([_spread({y: kolada[y][g] for y in years}, months) for g in GENDERS])
        share = params.entrants.n00960_new_entrant_share.value
        source = (
            f"Kolada {kpis.ENROLLED} (inskrivna i etableringsuppdraget under året, kvinnor/män) "
            f"{_span(years)} × {percent(share * 100)} nya inskrivna, jämnt fördelat över månaderna"
        )
        return Entrants(months, base, "kolada_n00960", source)
    if kommunmottagna is None or kommunmottagna.empty:
        raise MissingDataError(
            f"Varken Kolada {kpis.ENROLLED} eller Migrationsverkets kommunmottagna finns för att räkna inskrivna.",
            f"Kör `etablering data import` (kommunmottagna) eller hämta {kpis.ENROLLED} med `etablering data fetch`.",
        )
    years = sorted(int(y) for y in kommunmottagna["year"].unique())
    rows = kommunmottagna[kommunmottagna["kommun_code"] == kommun_code]
    yearly = rows.groupby("year")["persons"].sum()
    months = _months(years)
    base = _spread({int(y): float(v) for y, v in yearly.items()}, months)
    p = params.population
    source = (
        f"Migrationsverkets kommunmottagna {_span(years)} (alla kategorier, "
        f"{number(yearly.sum())} personer) × {percent(p.share_aged_20_64.value * 100)} i åldern "
        f"20–64 × {percent(p.women_share.value * 100)} kvinnor, jämnt fördelat över månaderna"
    )
    return Entrants(months, base, "kommunmottagna", source)


def _kolada_n00960(kommun_code: str, kpi_values: pd.DataFrame | None) -> dict | None:
    if kpi_values is None or kpi_values.empty:
        return None
    rows = kpi_values[
        (kpi_values["kpi"] == kpis.ENROLLED)
        & (kpi_values["area_code"] == kommun_code)
        & kpi_values["gender"].isin(GENDERS)
        & kpi_values["value"].notna()
    ]
    out: dict[int, dict[str, float]] = {}
    for year, group in rows.groupby("year"):
        by_gender = group.groupby("gender")["value"].first()
        if set(GENDERS) <= set(by_gender.index):
            out[int(year)] = {g: float(by_gender[g]) for g in GENDERS}
    return out or None


def entrants_from_counts(counts: dict[str, dict[str, float]], source: str = "angivet") -> Entrants:
    """Entrants given directly: {"2018-01": {"K": 10, "M": 10}, ...}; other months are zero."""
    parsed = {}
    for month, by_gender in counts.items():
        period = pd.Period(month, freq="M")
        for gender, n in by_gender.items():
            if gender not in GENDERS:
                raise ParameterError(f"Okänt kön {gender!r} i entrants[{month}]; använd K eller M.")
            if not np.isfinite(n) or n < 0:
                raise ParameterError(
                    f"Antalet inskrivna (parametern entrants[{month}][{gender}]) får inte vara "
                    f"negativt, fick {n}."
                )
        parsed[period] = by_gender
    if not parsed:
        raise ParameterError("Inga inskrivna angivna (parametern entrants).")
    months = _months([p.year for p in parsed])
    base = np.zeros((2, len(months)))
    for period, by_gender in parsed.items():
        for gender, n in by_gender.items():
            base[GENDERS.index(gender), months.get_loc(period)] += float(n)
    return Entrants(months, base, "angivet", source)
