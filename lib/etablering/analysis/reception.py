"""Mottagande: pure functions from the processed tables to the report's numbers.

Two sources, kept apart and named wherever they are shown:

- **Kolada's series** for every kommun and year: kommunmottagna (kpis.RECEIVED, 2005–; women
  and men from 2016), mottagna efter anvisning (kpis.RECEIVED_ANVISNING, 2014–), anvisade
  ensamkommande barn (kpis.UNACCOMPANIED_ANVISADE, 2015–) and Kolada's own per 1 000
  (kpis.RECEIVED_PER_1000, which divides by the population of the year before). Kolada has no
  län rows for these, so a län is the sum of its kommuner.
- **Migrationsverket's files** for the years imported (2018 in the snapshot): kommuntal,
  mottagna på anvisning and kommunmottagna by category.

The cross-kommun tables are computed once for all 290 kommuner (ranks, län and riket totals and
peer means all come from them); a report takes its area's rows and aggregates.
"""

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from ..core import fmt
from ..core.errors import MissingDataError
from ..data import kpis, panel
from ..data.schemas import CATEGORIES


class KommuntalStatus(StrEnum):
    """Whether Migrationsverket's kommuntal file lists the kommun. The words the reports show
    for each are in notebooks/texts/01-mottagande.toml ([status])."""

    LISTED = "listad"
    NOT_LISTED = "ej_listad"  # the file has the year but not the kommun: missing, never 0
    NO_FILE = "ingen_fil"  # no kommuntal file imported for the year


NOT_LISTED = KommuntalStatus.NOT_LISTED
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
    "och bosättning), lägg dem i en mapp och kör `etablering data import MAPP`."
)

# Kolada's reception series: column -> (KPI, gender). Counts first, then Kolada's per 1 000.
SERIES = {
    "received": (kpis.RECEIVED, "T"),
    "received_k": (kpis.RECEIVED, "K"),
    "received_m": (kpis.RECEIVED, "M"),
    "anvisning": (kpis.RECEIVED_ANVISNING, "T"),
    "unaccompanied": (kpis.UNACCOMPANIED_ANVISADE, "T"),
    "per_1000_kolada": (kpis.RECEIVED_PER_1000, "T"),
}
COUNTS = ["received", "received_k", "received_m", "anvisning", "unaccompanied"]
SERIES_KPIS = [kpis.RECEIVED, kpis.RECEIVED_ANVISNING, kpis.UNACCOMPANIED_ANVISADE]
PER_1000_SCALE = 1000


# --- which years a report can show -----------------------------------------------------------


def years_by_kommun(
    kpi_values: pd.DataFrame, kommunmottagna: pd.DataFrame, kommun_codes=None
) -> dict[str, set[int]]:
    """Per kommun, the years it has kommunmottagna: Kolada's count (gender total) or a
    Migrationsverket kommunmottagna file."""
    kolada = panel.values(kpi_values, kpis.RECEIVED, kommun_codes, ["T"])
    files = kommunmottagna
    if kommun_codes is not None:
        files = files[files["kommun_code"].isin(kommun_codes)]
    pairs = pd.concat(
        [
            kolada[["area_code", "year"]],
            files[["kommun_code", "year"]].rename(columns={"kommun_code": "area_code"}),
        ]
    )
    return {code: {int(y) for y in years} for code, years in pairs.groupby("area_code")["year"]}


def years_with_data(
    kpi_values: pd.DataFrame,
    kommunmottagna: pd.DataFrame,
    kommun_codes: list[str],
    by_kommun: dict[str, set[int]] | None = None,
) -> list[int]:
    """Years in which some of `kommun_codes` has kommunmottagna (see years_by_kommun; pass its
    result as `by_kommun` when asking for many areas)."""
    if by_kommun is None:
        by_kommun = years_by_kommun(kpi_values, kommunmottagna, kommun_codes)
    return sorted(set().union(*(by_kommun.get(c, set()) for c in kommun_codes)))


def year_ranges(years) -> str:
    """[2005, 2006, 2007, 2010] -> '2005–2007, 2010' (for lists of available years in messages;
    fmt.years writes years in sentences)."""
    return ", ".join(fmt.span(r[0], r[-1]) for r in fmt.year_runs(years))


def year_problem(area_name: str, year: int, years: list[int]) -> str | None:
    """None when `year` has data; otherwise the Swedish message naming the years that exist."""
    if year in years:
        return None
    if not years:
        return (
            f"Det finns inga uppgifter om mottagande för {area_name} i underlaget. Kör "
            "`etablering data import` (offline, från ögonblicksbilden) eller "
            "`etablering data fetch --group mottagande`."
        )
    return (
        f"Det finns inga uppgifter om mottagande för {area_name} {year}. Uppgifter finns för "
        f"{year_ranges(years)}. Välj ett av dessa år, eller ange inget år så visas det senaste "
        f"({max(years)})."
    )


# --- Kolada's series: one row per kommun and year ------------------------------------------------


def kolada_panel(
    kpi_values: pd.DataFrame, areas: pd.DataFrame, population: pd.DataFrame
) -> pd.DataFrame:
    """Every kommun and year with a reception value: the SERIES columns (NA where Kolada has
    none), the population of 31 December of the year and of the year before, the own per 1 000
    (the year's own population) and the ranks by it among all kommuner and within the län.

    `population` is `panel.population_table(...)`: SCB's file where it has the year, Kolada's
    kpis.POPULATION otherwise. A year no source has takes the nearest year, marked as a proxy.
    """
    kommuner = areas.loc[areas["kind"] == "kommun", ["code", "name", "lan_code"]].rename(
        columns={"code": "kommun_code"}
    )
    rows = panel.values(
        kpi_values, sorted({k for k, _ in SERIES.values()}), kommuner["kommun_code"].tolist()
    )
    columns = ["kommun_code", "year", *SERIES]
    if rows.empty:
        frame = pd.DataFrame(columns=columns)
    else:
        wide = rows.pivot_table(
            index=["area_code", "year"], columns=["kpi", "gender"], values="value"
        )
        frame = pd.DataFrame(index=wide.index)
        for column, key in SERIES.items():
            frame[column] = wide[key] if key in wide.columns else np.nan
        frame = frame.reset_index().rename(columns={"area_code": "kommun_code"})
    frame = frame.dropna(subset=list(SERIES), how="all")
    frame = kommuner.merge(frame, on="kommun_code", how="inner")
    frame["year"] = frame["year"].astype(int)
    for column in SERIES:
        frame[column] = frame[column].astype(float)

    pops = []
    for year in sorted(frame["year"].unique()):
        now = panel.population_for_year(population, int(year))
        prev = panel.population_for_year(population, int(year) - 1)
        now = now.merge(
            prev[["area_code", "population", "population_proxy"]].rename(
                columns={
                    "population": "population_prev",
                    "population_proxy": "population_prev_proxy",
                }
            ),
            on="area_code",
            how="left",
        )
        pops.append(now.assign(year=int(year)))
    pop = (
        pd.concat(pops, ignore_index=True)
        if pops
        else pd.DataFrame(
            columns=[
                "area_code",
                "year",
                "population",
                "population_year",
                "population_proxy",
                "population_source",
                "population_prev",
                "population_prev_proxy",
            ]
        )
    )
    frame = frame.merge(
        pop.rename(columns={"area_code": "kommun_code"}), on=["kommun_code", "year"], how="left"
    )
    frame["per_1000"] = _ratio(frame["received"], frame["population"]) * PER_1000_SCALE
    by_year = frame.groupby("year")["per_1000"]
    frame["rank_riket"] = by_year.rank(ascending=False, method="min").astype("Int64")
    frame["n_rank_riket"] = by_year.transform("count").astype(int)
    by_lan = frame.groupby(["year", "lan_code"])["per_1000"]
    frame["rank_lan"] = by_lan.rank(ascending=False, method="min").astype("Int64")
    frame["n_rank_lan"] = by_lan.transform("count").astype(int)
    return frame.sort_values(["kommun_code", "year"], ignore_index=True)


def year_table(kpanel: pd.DataFrame, areas: pd.DataFrame, year: int) -> pd.DataFrame:
    """All kommuner for `year` (a kommun without any value that year is kept, with NA)."""
    kommuner = areas.loc[areas["kind"] == "kommun", ["code", "name", "lan_code"]].rename(
        columns={"code": "kommun_code"}
    )
    rows = kpanel[kpanel["year"] == year].drop(columns=["name", "lan_code"])
    table = kommuner.merge(rows, on="kommun_code", how="left")
    table["year"] = year
    prev = kpanel[kpanel["year"] == year - 1].set_index("kommun_code")["received"]
    table["received_prev"] = table["kommun_code"].map(prev).astype(float)
    return table.reset_index(drop=True)


def aggregate(kpanel: pd.DataFrame, kommun_codes: list[str]) -> pd.DataFrame:
    """The sum over `kommun_codes` per year (Kolada has no län rows for reception): each count
    over the kommuner that report it (n_<column> says how many), the population of the
    kommuner that report kommunmottagna (this year and the year before), the own per 1 000 and
    the same computed as Kolada does (population of the year before)."""
    part = kpanel[kpanel["kommun_code"].isin(kommun_codes)]
    rows = []
    for year, g in part.groupby("year"):
        reported = g[g["received"].notna()]
        row = {"year": int(year), "n_kommuner": len(kommun_codes)}
        for column in COUNTS:
            values = g[column].dropna()
            row[column] = float(values.sum()) if len(values) else np.nan
            row[f"n_{column}"] = len(values)
        row["missing_received"] = sorted(set(kommun_codes) - set(reported["kommun_code"]))
        row["population"] = _sum_or_na(reported["population"])
        row["population_prev"] = _sum_or_na(reported["population_prev"])
        row["population_proxy"] = bool(reported["population_proxy"].fillna(False).any())
        years = reported["population_year"].dropna()
        row["population_year"] = int(years.max()) if len(years) else pd.NA
        rows.append(row)
    columns = [
        "year",
        "n_kommuner",
        *(c for column in COUNTS for c in (column, f"n_{column}")),
        "missing_received",
        "population",
        "population_prev",
        "population_proxy",
        "population_year",
    ]
    out = pd.DataFrame(rows, columns=columns)
    out["per_1000"] = _ratio(out["received"], out["population"]) * PER_1000_SCALE
    out["per_1000_kolada"] = _ratio(out["received"], out["population_prev"]) * PER_1000_SCALE
    out["per_1000_kolada_computed"] = True
    return out.set_index("year")


def riket_series(
    kpanel: pd.DataFrame, kpi_values: pd.DataFrame, population: pd.DataFrame
) -> pd.DataFrame:
    """Riket per year: Kolada's riket rows where they exist (2015–), the sum of the kommuner
    before; `from_kolada` says which. The own per 1 000 divides by riket's population of the
    same year (kpis.POPULATION for riket; the nearest year, marked, where it has none)."""
    out = aggregate(kpanel, sorted(kpanel["kommun_code"].unique()))
    out["from_kolada"] = False
    for year in out.index:
        pop = panel.population_for_year(population[population["area_code"] == "0000"], year)
        if not pop.empty:
            r = pop.iloc[0]
            out.loc[year, ["population", "population_year", "population_proxy"]] = [
                float(r["population"]),
                int(r["population_year"]),
                bool(r["population_proxy"]),
            ]
    official = panel.values(kpi_values, sorted({k for k, _ in SERIES.values()}), "0000")
    for column, (kpi, gender) in SERIES.items():
        rows = official[(official["kpi"] == kpi) & (official["gender"] == gender)]
        values = rows.set_index("year")["value"].astype(float)
        values = values[values.index.isin(out.index)]
        out.loc[values.index, column] = values
        if column == "received":
            out.loc[values.index, "from_kolada"] = True
        if column == "per_1000_kolada":
            out.loc[values.index, "per_1000_kolada_computed"] = False
    out["per_1000"] = _ratio(out["received"], out["population"]) * PER_1000_SCALE
    return out


def with_change(series: pd.DataFrame) -> pd.DataFrame:
    """Adds change and change_pct of `received` against the year before (NA when that year is
    missing, or the change in % when the year before was 0)."""
    out = series.copy()
    prev = out["received"].reindex(out.index - 1).to_numpy()
    out["received_prev"] = prev
    out["change"] = out["received"] - prev
    out["change_pct"] = _ratio(out["change"], pd.Series(prev, index=out.index)) * 100
    return out


def kommun_series(kpanel: pd.DataFrame, kommun_code: str) -> pd.DataFrame:
    rows = kpanel[kpanel["kommun_code"] == kommun_code].set_index("year")
    rows = rows.assign(per_1000_kolada_computed=False)
    return with_change(rows)


def lan_per_1000(kpanel: pd.DataFrame, areas: pd.DataFrame, year: int) -> pd.DataFrame:
    """Every län in `year`: the sums over its kommuner, own per 1 000 and rank among the län."""
    kommuner = areas[areas["kind"] == "kommun"]
    names = areas[areas["kind"] == "lan"].set_index("lan_code")["name"]
    rows = []
    for lan_code, members in kommuner.groupby("lan_code"):
        agg = aggregate(kpanel, members["code"].tolist())
        if year not in agg.index:
            continue
        r = agg.loc[year]
        rows.append(
            {
                "lan_code": lan_code,
                "area_code": "00" + lan_code,
                "name": names.get(lan_code, lan_code),
                "received": r["received"],
                "population": r["population"],
                "per_1000": r["per_1000"],
                "n_kommuner": r["n_kommuner"],
                "n_received": r["n_received"],
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["rank"] = out["per_1000"].rank(ascending=False, method="min").astype("Int64")
    out["n_rank"] = int(out["per_1000"].notna().sum())
    return out.sort_values("per_1000", ascending=False, ignore_index=True)


def _sum_or_na(values: pd.Series):
    values = pd.to_numeric(values, errors="coerce").dropna()
    return float(values.sum()) if len(values) else np.nan


# --- Migrationsverket's files: kommuntal and kommunmottagna by category -----------------------


def available_years(kommuntal: pd.DataFrame, kommunmottagna: pd.DataFrame) -> list[int]:
    """Years with a Migrationsverket file (kommuntal or kommunmottagna) imported."""
    return sorted({int(y) for y in kommuntal["year"]} | {int(y) for y in kommunmottagna["year"]})


def kommun_table(
    year: int,
    areas: pd.DataFrame,
    kommuntal: pd.DataFrame,
    kommunmottagna: pd.DataFrame,
    population: pd.DataFrame,
) -> pd.DataFrame:
    """One row per kommun for `year` from Migrationsverket's files: kommuntal, received by
    category, per 1 000, ranks.

    Missing stays missing (NA): a kommun absent from the kommuntal file is not given 0.
    `population` is `panel.population_table(...)` (the SCB file alone also works, with proxies).
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
    table["kommuntal_status"] = np.where(
        table["kommuntal"].isna(), KommuntalStatus.NOT_LISTED.value, KommuntalStatus.LISTED.value
    )
    if kt.empty:
        table["kommuntal_status"] = KommuntalStatus.NO_FILE.value
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
    if "retrieved" not in population.columns:
        population = population.assign(retrieved="")
    pop = panel.population_for_year(population, year)
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


@dataclass(frozen=True)
class Totals:
    """Sums over a set of kommuner (a län or riket) from Migrationsverket's files."""

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
    the län by received per 1 000. A län is named by its area code in `area_code` (0006), not
    `kommun_code` as in the kommun table."""
    rows = []
    for lan_code, part in table.groupby("lan_code"):
        t = totals(part, lan_names.get(lan_code, lan_code))
        listed = t.n_not_listed < t.n_kommuner
        years = part["population_year"].dropna()
        rows.append(
            {
                "year": int(part["year"].iloc[0]),
                "area_code": "00" + lan_code,
                "name": t.label,
                "lan_code": lan_code,
                "kommuntal": t.kommuntal if listed else pd.NA,
                "mottagna_anvisade": t.mottagna_anvisade if listed else pd.NA,
                "kommuntal_status": (
                    KommuntalStatus.LISTED.value if listed else part["kommuntal_status"].iloc[0]
                ),
                **t.by_category,
                **{"ensam_" + c: v for c, v in t.ensam_by_category.items()},
                "mottagna_totalt": t.mottagna_totalt,
                "ensam_totalt": t.ensam_totalt,
                "uppfyllelse_pct": t.uppfyllelse_pct,
                "totalt_per_kommuntal": t.totalt_per_kommuntal,
                "population": t.population,
                "population_year": int(years.max()) if len(years) else pd.NA,
                "population_proxy": bool(part["population_proxy"].fillna(False).any()),
                "population_source": "; ".join(dict.fromkeys(part["population_source"].dropna())),
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


# --- comparisons -------------------------------------------------------------------------------


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
    lanstal: pd.DataFrame,
    kommuntal: pd.DataFrame,
    lan_code: str,
    kommun_code: str,
    lan_anvisning: pd.Series | None = None,
) -> pd.DataFrame:
    """Länstal for the kommun's län in every year available, with the national total, the
    kommun's kommuntal and its share of the länstal where the kommuntal file has the year, and
    (when given) the län's mottagna efter anvisning per year from Kolada (sum of its kommuner)."""
    rows = lanstal[lanstal["lan_code"] == lan_code].sort_values(["year", "version"])
    own = kommuntal[kommuntal["kommun_code"] == kommun_code].set_index("year")["kommuntal"]
    out = rows[["year", "version", "lanstal", "national_total", "sfs"]].copy()
    out["kommuntal"] = out["year"].map(own).astype("Int64")
    out["andel_av_lanstal_pct"] = _ratio(out["kommuntal"], out["lanstal"]) * 100
    if lan_anvisning is not None:
        out["anvisning_lan"] = out["year"].map(lan_anvisning).astype(float)
    return out.reset_index(drop=True)
