"""Where a value row came from: a fixed set of origins, stored as data in every table.

Reports name their source from the origins of the rows they used, and the resolver picks one
row per key when several origins hold it: the newest real source wins (a Kolada API fetch over
the August 2024 dump), a transcription only fills gaps, and synthetic rows are never mixed
with real ones.
"""

from enum import StrEnum

import pandas as pd


class Origin(StrEnum):
    MIGRATIONSVERKET_FILE = "migrationsverket_fil"
    SCB_FILE = "scb_fil"
    KOLADA_DUMP = "kolada_uttag"
    KOLADA_API = "kolada_api"
    TRANSCRIBED = "transkriberad"
    SYNTHETIC = "syntetisk"


ORIGINS = tuple(o.value for o in Origin)
# The open-numbers dump was scraped from Kolada in August 2024 (its datapoint files were added
# in commit 57f4d84, 2024-08-31); every row from it carries this retrieval date.
KOLADA_DUMP_RETRIEVED = "2024-08"
SYNTHETIC_LABEL = "SYNTETISKA DATA"

# Lower ranks win when several origins hold the same key.
_RANK = {
    Origin.KOLADA_API.value: 0,
    Origin.KOLADA_DUMP.value: 1,
    Origin.SCB_FILE.value: 1,
    Origin.MIGRATIONSVERKET_FILE.value: 1,
    Origin.TRANSCRIBED.value: 2,
    Origin.SYNTHETIC.value: 0,
}
_MONTHS = (
    "januari februari mars april maj juni juli augusti september oktober november december"
).split()


def prefer(frame: pd.DataFrame, key: list[str], synthetic: bool = False) -> pd.DataFrame:
    """One row per `key`: only synthetic or only real rows; among real ones the best origin,
    and the latest retrieval within an origin."""
    is_synth = frame["origin"] == Origin.SYNTHETIC
    frame = frame[is_synth if synthetic else ~is_synth]
    rank = frame["origin"].map(_RANK)
    # a value before a missing one (a later fetch saying 'Missing' does not erase a figure)
    missing = frame["value"].isna() if "value" in frame else False
    ordered = frame.assign(_missing=missing, _rank=rank).sort_values(
        ["_missing", "_rank", "retrieved"], ascending=[True, True, False], kind="stable"
    )
    ordered = ordered.drop_duplicates(key).drop(columns=["_missing", "_rank"])
    return ordered.sort_values(key, ignore_index=True)


def _month(retrieved: str) -> str:
    """'2024-08' or '2026-11-28T…' -> 'augusti 2024' / '28 november 2026'."""
    parts = str(retrieved)[:10].split("-")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
        month = f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
        return f"{int(parts[2])} {month}" if len(parts) == 3 and parts[2].isdigit() else month
    return str(retrieved)


def describe(origin: str, retrieved: str = "") -> str:
    """How a report names one origin, e.g. 'Kolada (RKA), uttag augusti 2024'."""
    origin = Origin(origin)
    if origin is Origin.KOLADA_DUMP:
        return f"Kolada (RKA), uttag {_month(retrieved or KOLADA_DUMP_RETRIEVED)}"
    if origin is Origin.KOLADA_API:
        return f"Kolada (RKA), hämtat {_month(retrieved)}" if retrieved else "Kolada (RKA), API"
    if origin is Origin.TRANSCRIBED:
        return "transkriberat från offentlig källa"
    if origin is Origin.MIGRATIONSVERKET_FILE:
        return "Migrationsverket"
    if origin is Origin.SCB_FILE:
        return "SCB"
    return f"{SYNTHETIC_LABEL} (demo, fast slumpfrö) – inte verkliga uppgifter"


def describe_rows(rows: pd.DataFrame) -> list[str]:
    """The distinct origins of `rows`, described, best origin first; API fetches by date."""
    if rows.empty:
        return []
    seen = rows[["origin", "retrieved"]].copy()
    seen["retrieved"] = seen["retrieved"].astype(str).str[:10]
    seen = seen.drop_duplicates()
    seen = seen.assign(_rank=seen["origin"].map(_RANK))
    seen = seen.sort_values(["_rank", "retrieved"], ascending=[True, False])
    return list(
        dict.fromkeys(
            describe(o, r) for o, r in zip(seen["origin"], seen["retrieved"], strict=True)
        )
    )
