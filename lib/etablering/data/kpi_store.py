"""Adding KPI rows to the stored panel (import, fetch, demo): merge, validate, split off flags.

New rows replace stored rows only where they hold the same thing again (`replace_by`); every
row is then checked together (validate.py), earlier flagged rows included, so a value that
failed an identity may pass once the row it disagreed with is corrected, and vice versa.
"""

import pandas as pd

from . import store, validate
from .parse.ddf import PARSE_RULES


def merged(
    new: pd.DataFrame,
    replace_by: list[str],
    areas: pd.DataFrame,
    population: pd.DataFrame | None,
    data_dir=None,
    parse_flags: list[pd.DataFrame] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(kpi_values, kpi_flags) after adding `new` to what is stored."""
    old_values = _read("kpi_values", data_dir)
    old_flags = _read("kpi_flags", data_dir)
    flags = [f for f in parse_flags if len(f)]
    if old_flags is not None and len(old_flags):
        parse_level = old_flags["rule"].isin(PARSE_RULES)
        # rows that could not be placed stay flagged until their file is imported again
        kept = old_flags[parse_level & ~old_flags["source_file"].isin(set(new["source_file"]))]
        flags.append(kept)
        restored = old_flags[~parse_level].drop(columns=["line", "rule", "detail"])
        restored = restored.assign(count=float("nan"), status="")
        old_values = pd.concat(
            [x for x in (old_values, restored) if x is not None], ignore_index=True
        )
    if old_values is not None and len(old_values):
        replaced = old_values.set_index(replace_by).index.isin(new.set_index(replace_by).index)
        new = pd.concat([old_values[~replaced], new], ignore_index=True)
    clean, found = validate.check(new, areas, population)
    clean = clean.sort_values(validate.KEY, ignore_index=True)  # the same input, the same file
    flags = pd.concat([*flags, found], ignore_index=True)
    flags["line"] = pd.to_numeric(flags["line"], errors="coerce").astype(float)
    flags["year"] = flags["year"].astype(int)
    flags["value"] = flags["value"].astype(float)
    return clean, flags.sort_values(["kpi", "area_code", "year", "gender"], ignore_index=True)


def _read(name: str, data_dir) -> pd.DataFrame | None:
    return store.read_table(name, data_dir) if store.has_table(name, data_dir) else None
