"""Reading the KPI panel: one value per KPI, area, year and gender, with where it came from.

`kpi_values` may hold the same key from several origins (the August 2024 dump, a later API
fetch, a transcription); `values` keeps the preferred one (origin.prefer). Population comes
from SCB's own files where they have the year and from Kolada's N01951 otherwise.
"""

import pandas as pd

from . import kpis, store
from .origin import Origin, describe, describe_rows, prefer

KEY = ["kpi", "area_code", "year", "gender"]


def values(
    kpi_values: pd.DataFrame,
    kpi_ids=None,
    area_codes=None,
    genders=None,
    synthetic: bool = False,
) -> pd.DataFrame:
    """The preferred row per key, only real or only synthetic, filtered as asked."""
    frame = kpi_values
    if kpi_ids is not None:
        frame = frame[frame["kpi"].isin([kpi_ids] if isinstance(kpi_ids, str) else list(kpi_ids))]
    if area_codes is not None:
        codes = [area_codes] if isinstance(area_codes, str) else list(area_codes)
        frame = frame[frame["area_code"].isin(codes)]
    if genders is not None:
        frame = frame[frame["gender"].isin(list(genders))]
    return prefer(frame, KEY, synthetic=synthetic)


def series(kpi_values: pd.DataFrame, kpi_id: str, area_code: str, gender: str = "T") -> pd.Series:
    """Real values of one KPI for one area by year (float, NaN never stored)."""
    rows = values(kpi_values, kpi_id, area_code, [gender]).dropna(subset=["value"])
    return rows.set_index("year")["value"].astype(float).rename(kpi_id)


def wide(kpi_values: pd.DataFrame, kpi_ids, area_codes=None, gender: str = "T") -> pd.DataFrame:
    """(area_code, year) x KPI, real values only."""
    rows = values(kpi_values, kpi_ids, area_codes, [gender])
    if rows.empty:
        return pd.DataFrame(columns=list(kpi_ids))
    return rows.pivot_table(index=["area_code", "year"], columns="kpi", values="value")


def sources(rows: pd.DataFrame) -> str:
    """'Kolada (RKA), uttag augusti 2024' (and more, best first) for the rows a figure used."""
    return "; ".join(describe_rows(rows)) or "uppgift saknas"


def source_line(rows: pd.DataFrame, kpi_ids) -> str:
    ids = ", ".join(dict.fromkeys([kpi_ids] if isinstance(kpi_ids, str) else kpi_ids))
    return f"Källa: {sources(rows)}: {ids}."


def population_table(population: pd.DataFrame, kpi_values: pd.DataFrame) -> pd.DataFrame:
    """area_code, year, population, origin, retrieved: SCB's file where it has the year (it is
    SCB's own publication), Kolada's N01951 otherwise (kommuner, län and riket, 1994–)."""
    scb = population.assign(retrieved="")[
        ["area_code", "year", "population", "origin", "retrieved"]
    ]
    kolada = values(kpi_values, kpis.POPULATION, genders=["T"]).dropna(subset=["value"])
    kolada = pd.DataFrame(
        {
            "area_code": kolada["area_code"],
            "year": kolada["year"].astype(int),
            "population": kolada["value"].round().astype(int),
            "origin": kolada["origin"],
            "retrieved": kolada["retrieved"],
        }
    )
    both = pd.concat([scb, kolada], ignore_index=True)
    rank = (both["origin"] != Origin.SCB_FILE).astype(int)
    both = both.assign(_rank=rank).sort_values(["_rank"], kind="stable")
    return (
        both.drop_duplicates(["area_code", "year"])
        .drop(columns="_rank")
        .sort_values(["area_code", "year"], ignore_index=True)
    )


def population_for_year(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """Population per area for `year`, or the nearest year available, marked as a proxy (ties
    take the earlier year). Columns: area_code, population, population_year, population_proxy,
    population_source."""
    columns = [
        "area_code",
        "population",
        "population_year",
        "population_proxy",
        "population_source",
    ]
    if table.empty:
        return pd.DataFrame(columns=columns)
    pop = table.assign(distance=(table["year"] - year).abs())
    pop = pop.sort_values(["area_code", "distance", "year"]).drop_duplicates("area_code")
    names = {
        pair: describe(*pair) for pair in set(zip(pop["origin"], pop["retrieved"], strict=True))
    }
    source = [names[pair] for pair in zip(pop["origin"], pop["retrieved"], strict=True)]
    return pd.DataFrame(
        {
            "area_code": pop["area_code"].to_numpy(),
            "population": pop["population"].astype("Int64").to_numpy(),
            "population_year": pop["year"].astype(int).to_numpy(),
            "population_proxy": (pop["year"] != year).to_numpy(),
            "population_source": source,
        }
    )


def load_population(data_dir=None) -> pd.DataFrame:
    return population_table(
        store.read_table("population", data_dir), store.read_table("kpi_values", data_dir)
    )


def flag_reasons(flags: pd.DataFrame, kpi_id: str, area_code: str) -> pd.DataFrame:
    """Flagged rows of one KPI and area (year, gender, value, rule, detail) for a report's note."""
    rows = flags[(flags["kpi"] == kpi_id) & (flags["area_code"] == area_code)]
    return rows[["year", "gender", "value", "rule", "detail"]].sort_values(["year", "gender"])
