"""Comparison tables for the 00-utforska notebook: one measure across chosen kommuner."""

import pandas as pd

from . import outcomes, reception, store

MEASURES = {
    "per_1000": "Kommunmottagna per 1 000 invånare",
    "mottagna_totalt": "Kommunmottagna totalt",
    "uppfyllelse_pct": "Uppfyllelse av kommuntalet (%)",
    "totalt_per_kommuntal": "Mottagna totalt per kommuntal",
    "women_pct": "Kvinnor i arbete/studier efter etableringen (%), senaste år",
    "men_pct": "Män i arbete/studier efter etableringen (%), senaste år",
}


RECEPTION_MEASURES = ("per_1000", "mottagna_totalt", "uppfyllelse_pct", "totalt_per_kommuntal")


def source_of(measure: str, year: int) -> str:
    if measure in RECEPTION_MEASURES:
        return f"Källa: Migrationsverket {year}; SCB (folkmängd)"
    return "Källa: Kolada N00973 (SCB/Arbetsförmedlingen)"


def measure_table(measure: str, year: int, data_dir=None) -> pd.DataFrame:
    """kommun_code, name, lan_code, value (NA where missing) for every kommun."""
    if measure not in MEASURES:
        raise KeyError(f"okänt mått {measure!r}; välj ett av {', '.join(MEASURES)}")
    tables = {
        n: store.read_table(n, data_dir)
        for n in ("areas", "kommuntal", "kommunmottagna", "population")
    }
    table = reception.kommun_table(year, **tables)
    if measure in table.columns:
        return table[["kommun_code", "name", "lan_code"]].assign(value=table[measure].astype(float))
    gender = "K" if measure == "women_pct" else "M"
    kv = outcomes.select_source(store.read_table("kpi_values", data_dir), synthetic=False)
    rows = kv[(kv["kpi"] == outcomes.HEADLINE_KPI) & (kv["gender"] == gender) & kv["value"].notna()]
    latest = (
        rows.sort_values("year").drop_duplicates("area_code", keep="last").set_index("area_code")
    )
    return table[["kommun_code", "name", "lan_code"]].assign(
        value=table["kommun_code"].map(latest["value"]).astype(float),
        year=table["kommun_code"].map(latest["year"]),
    )


def compare(frame: pd.DataFrame, kommuner: list[str]) -> pd.DataFrame:
    """The chosen kommuner, sorted by value (missing last)."""
    chosen = frame[frame["kommun_code"].isin(kommuner)]
    return chosen.sort_values("value", ascending=False, na_position="last").set_index("name")
