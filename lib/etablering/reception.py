"""Mottagande mot kommuntal: pure functions from the processed tables to the report's numbers.

The cross-kommun table is computed once per year for all 290 kommuner (ranks, län and riket
totals and peer means all come from it); a report takes its kommun's row and aggregates.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import MissingDataError
from .schemas import CATEGORIES

NOT_LISTED = "ej listad i kommuntalsfilen"
CATEGORY_LABELS = {
    "kvot": "Kvotflyktingar",
    "abo": "ABO (från anläggningsboende)",
    "ebo": "EBO (från eget boende)",
    "ovriga": "Övriga",
    "anhoriga": "Anhöriga",
}
CATEGORY_PHRASES = {
    "kvot": "kvotflyktingar",
    "abo": "personer från anläggningsboende (ABO)",
    "ebo": "personer från eget boende (EBO)",
    "ovriga": "övriga",
    "anhoriga": "anhöriga",
}
DOWNLOAD_HINT = (
    "Ladda ner Migrationsverkets filer 'Anvisningar enligt kommuntalen <år>' och 'Kommunmottagna "
    "enligt ersättningsförordningen <år>' (migrationsverket.se › Statistik › Anvisning till kommuner "
    "och bosättning), lägg dem i en mapp och kör `etablering data import MAPP`. Kommunmottagna per år "
    "från Kolada (N01986, N01987): `etablering data fetch`."
)


def available_years(kommuntal: pd.DataFrame, kommunmottagna: pd.DataFrame) -> list[int]:
    return sorted(set(kommuntal["year"]) | set(kommunmottagna["year"]))


def kommun_table(
    year: int,
    areas: pd.DataFrame,
    kommuntal: pd.DataFrame,
    kommunmottagna: pd.DataFrame,
    population: pd.DataFrame,
) -> pd.DataFrame:
    """One row per kommun for `year`: kommuntal, received by category, per 1 000, ranks.

    Missing stays missing (NA): a kommun absent from the kommuntal file is not given 0.
    """
    kt = kommuntal[kommuntal["year"] == year]
    km = kommunmottagna[kommunmottagna["year"] == year]
    if kt.empty and km.empty:
        have = available_years(kommuntal, kommunmottagna)
        raise MissingDataError(
            f"Det finns inga uppgifter om kommuntal eller kommunmottagna för {year} "
            f"(importerade år: {', '.join(map(str, have)) or 'inga'}).",
            DOWNLOAD_HINT,
        )
    table = areas.loc[areas["kind"] == "kommun", ["code", "name", "lan_code"]].rename(
        columns={"code": "kommun_code"}
    )
    table = table.merge(
        kt[["kommun_code", "kommuntal", "mottagna_anvisade"]], on="kommun_code", how="left"
    )
    table["kommuntal_status"] = np.where(table["kommuntal"].isna(), NOT_LISTED, "listad")
    if kt.empty:
        table["kommuntal_status"] = f"kommuntalsfil för {year} saknas"
    wide = km.pivot_table(
        index="kommun_code", columns="category", values=["persons", "ensamkommande"], aggfunc="sum"
    )
    for cat in CATEGORIES:
        for measure, prefix in (("persons", ""), ("ensamkommande", "ensam_")):
            col = wide[(measure, cat)] if (measure, cat) in wide.columns else pd.Series(dtype=float)
            table[prefix + cat] = table["kommun_code"].map(col)
    table["mottagna_totalt"] = table[list(CATEGORIES)].sum(axis=1, min_count=len(CATEGORIES))
    table["ensam_totalt"] = table[["ensam_" + c for c in CATEGORIES]].sum(
        axis=1, min_count=len(CATEGORIES)
    )
    count_cols = [
        "kommuntal",
        "mottagna_anvisade",
        *CATEGORIES,
        "mottagna_totalt",
        *("ensam_" + c for c in CATEGORIES),
        "ensam_totalt",
    ]
    table[count_cols] = table[count_cols].astype("Int64")

    table["uppfyllelse_pct"] = _ratio(table["mottagna_anvisade"], table["kommuntal"]) * 100
    table["totalt_per_kommuntal"] = _ratio(table["mottagna_totalt"], table["kommuntal"])
    pop = population_for_year(population, year)
    table = table.merge(pop, left_on="kommun_code", right_on="area_code", how="left").drop(
        columns="area_code"
    )
    table["per_1000"] = _ratio(table["mottagna_totalt"], table["population"]) * 1000
    table["rank_riket"] = table["per_1000"].rank(ascending=False, method="min").astype("Int64")
    table["rank_lan"] = (
        table.groupby("lan_code")["per_1000"].rank(ascending=False, method="min").astype("Int64")
    )
    table["n_rank_riket"] = int(table["per_1000"].notna().sum())
    table["n_rank_lan"] = table.groupby("lan_code")["per_1000"].transform(lambda s: s.notna().sum())
    table.insert(0, "year", year)
    return table.reset_index(drop=True)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator as float, NA where either is missing or the denominator is 0."""
    num = pd.to_numeric(numerator, errors="coerce").astype(float)
    den = pd.to_numeric(denominator, errors="coerce").astype(float)
    return num / den.where(den > 0)


def population_for_year(population: pd.DataFrame, year: int) -> pd.DataFrame:
    """Population per area for `year`, or the nearest year available, marked as a proxy.

    Ties (a year equally far before and after) take the earlier year.
    """
    if population.empty:
        return pd.DataFrame(
            columns=[
                "area_code",
                "population",
                "population_year",
                "population_proxy",
                "population_source",
            ]
        )
    pop = population.assign(distance=(population["year"] - year).abs())
    pop = pop.sort_values(["area_code", "distance", "year"]).drop_duplicates("area_code")
    return pd.DataFrame(
        {
            "area_code": pop["area_code"].to_numpy(),
            "population": pop["population"].astype("Int64").to_numpy(),
            "population_year": pop["year"].astype(int).to_numpy(),
            "population_proxy": (pop["year"] != year).to_numpy(),
            "population_source": pop["source"].to_numpy(),
        }
    )


@dataclass(frozen=True)
class Totals:
    """Sums over a set of kommuner (a län or riket)."""

    label: str
    kommuntal: int
    n_not_listed: int
    mottagna_anvisade: int
    by_category: dict[str, int]
    ensam_by_category: dict[str, int]
    mottagna_totalt: int
    ensam_totalt: int
    population: int
    n_kommuner: int
    n_missing_received: int
    mottagna_totalt_listed: int = 0  # received by the kommuner that have a kommuntal

    @property
    def uppfyllelse_pct(self) -> float:
        return 100 * self.mottagna_anvisade / self.kommuntal if self.kommuntal else float("nan")

    @property
    def per_1000(self) -> float:
        return 1000 * self.mottagna_totalt / self.population if self.population else float("nan")

    @property
    def totalt_per_kommuntal(self) -> float:
        # Over listed kommuner only: the received of kommuner without a kommuntal in the file
        # would otherwise inflate the ratio.
        return self.mottagna_totalt_listed / self.kommuntal if self.kommuntal else float("nan")


def totals(table: pd.DataFrame, label: str) -> Totals:
    listed = table[table["kommuntal"].notna()]
    received = table[table["mottagna_totalt"].notna()]
    return Totals(
        label=label,
        kommuntal=int(listed["kommuntal"].sum()),
        n_not_listed=int(table["kommuntal"].isna().sum()),
        mottagna_anvisade=int(listed["mottagna_anvisade"].sum()),
        by_category={c: int(received[c].sum()) for c in CATEGORIES},
        ensam_by_category={c: int(received["ensam_" + c].sum()) for c in CATEGORIES},
        mottagna_totalt=int(received["mottagna_totalt"].sum()),
        ensam_totalt=int(received["ensam_totalt"].sum()),
        # per 1 000 over the kommuner that have both counts and population
        population=int(received["population"].sum()),
        n_kommuner=len(table),
        n_missing_received=int(table["mottagna_totalt"].isna().sum()),
        mottagna_totalt_listed=int(listed["mottagna_totalt"].sum()),
    )


def lan_table(table: pd.DataFrame, lan_names: dict[str, str]) -> pd.DataFrame:
    """One row per län with the kommun table's columns, from `totals` over its kommuner: sums
    (kommuntal over the kommuner listed in the file), ratios of the sums, and the rank among
    the län by received per 1 000. `kommun_code` holds the län's area code (0006)."""
    rows = []
    for lan_code, part in table.groupby("lan_code"):
        t = totals(part, lan_names.get(lan_code, lan_code))
        listed = t.n_not_listed < t.n_kommuner
        years = part["population_year"].dropna()
        rows.append(
            {
                "year": int(part["year"].iloc[0]),
                "kommun_code": "00" + lan_code,
                "name": t.label,
                "lan_code": lan_code,
                "kommuntal": t.kommuntal if listed else pd.NA,
                "mottagna_anvisade": t.mottagna_anvisade if listed else pd.NA,
                "kommuntal_status": "listad" if listed else part["kommuntal_status"].iloc[0],
                **t.by_category,
                **{"ensam_" + c: v for c, v in t.ensam_by_category.items()},
                "mottagna_totalt": t.mottagna_totalt,
                "ensam_totalt": t.ensam_totalt,
                "uppfyllelse_pct": t.uppfyllelse_pct,
                "totalt_per_kommuntal": t.totalt_per_kommuntal,
                "population": t.population,
                "population_year": int(years.max()) if len(years) else pd.NA,
                "population_proxy": bool(part["population_proxy"].fillna(False).any()),
                "population_source": "SCB",
                "per_1000": t.per_1000,
                "n_kommuner": t.n_kommuner,
                "n_not_listed": t.n_not_listed,
                "n_missing_received": t.n_missing_received,
            }
        )
    out = pd.DataFrame(rows)
    out["rank_riket"] = out["per_1000"].rank(ascending=False, method="min").astype("Int64")
    out["n_rank_riket"] = int(out["per_1000"].notna().sum())
    return out


def peer_group(
    area_groups: pd.DataFrame, kommun_name: str, kind: str = "socioekonomi"
) -> tuple[str, list[str]]:
    """Kolada's 'Liknande kommuner <kind>, <kommun>, <year>' group, the latest year; the kommun
    itself is not a member. Returns (group title, member codes)."""
    prefix = f"Liknande kommuner {kind}, {kommun_name},"
    groups = area_groups[area_groups["group_title"].str.startswith(prefix)]
    if groups.empty:
        raise MissingDataError(
            f"Kolada har ingen grupp '{prefix.rstrip(',')}' i den importerade gruppförteckningen."
        )
    latest = max(groups["group_title"].unique(), key=lambda t: t.rsplit(",", 1)[-1].strip())
    members = groups.loc[groups["group_title"] == latest, "member_code"].tolist()
    return latest, members


def peer_mean(table: pd.DataFrame, members: list[str], column: str) -> tuple[float, int]:
    """Unweighted mean over the members that have a value (as Kolada computes group values)."""
    values = pd.to_numeric(
        table.loc[table["kommun_code"].isin(members), column], errors="coerce"
    ).dropna()
    return (float(values.mean()) if len(values) else float("nan")), len(values)


def lanstal_context(
    lanstal: pd.DataFrame, kommuntal: pd.DataFrame, lan_code: str, kommun_code: str
) -> pd.DataFrame:
    """Länstal for the kommun's län in every year available, with the national total and, where
    the kommun's kommuntal is known, its share of the länstal."""
    rows = lanstal[lanstal["lan_code"] == lan_code].sort_values(["year", "version"])
    own = kommuntal[kommuntal["kommun_code"] == kommun_code].set_index("year")["kommuntal"]
    out = rows[["year", "version", "lanstal", "national_total", "sfs"]].copy()
    out["kommuntal"] = out["year"].map(own).astype("Int64")
    out["andel_av_lanstal_pct"] = _ratio(out["kommuntal"], out["lanstal"]) * 100
    return out.reset_index(drop=True)
