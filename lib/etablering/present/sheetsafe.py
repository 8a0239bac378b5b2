"""Cells that a spreadsheet opens as text, never as a formula.

Excel and LibreOffice evaluate a CSV cell that begins with `=`, `+`, `-` or `@` (and, through
DDE, one that begins with a tab or a carriage return), so a kommun named `=HYPERLINK(…)` in an
imported file would become a live formula in every downloaded table. Such a cell gets a leading
apostrophe (OWASP's advice): the spreadsheet shows the text as it was written. A number stays a
number (`-3,2` is a figure, not a formula).
"""

import re

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Full-width look-alikes that some spreadsheet programs fold to the ASCII operators
WIDE_TRIGGERS = ("\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"[+-]?\d[\d \u00a0\u202f]*([.,]\d+)?(e[+-]?\d+)?%?", re.IGNORECASE)


def cell(value):
    """The value, or the text with an apostrophe in front if a spreadsheet would evaluate it."""
    if not isinstance(value, str) or not value:
        return value
    first = value.lstrip(" \u00a0")[:1]
    if first and (first in TRIGGERS or first in WIDE_TRIGGERS or value[0] in TRIGGERS):
        if _NUMBER.fullmatch(value.strip()):
            return value
        return "'" + value
    return value


def frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell, column label and index label made safe."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(cell)
    out.columns = _labels(out.columns)
    out.index = _labels(out.index)
    return out


def _labels(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([_labels(level) for level in index.levels]).set_names(
            [cell(n) if isinstance(n, str) else n for n in index.names]
        )
    if index.dtype == object or pd.api.types.is_string_dtype(index):
        index = index.map(lambda v: cell(v) if isinstance(v, str) else v)
    return index.rename(cell(index.name) if isinstance(index.name, str) else index.name)
