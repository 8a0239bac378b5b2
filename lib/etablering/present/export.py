"""Downloads an analyst opens in Swedish Excel: every report CSV and the site's summary.

The same rules everywhere:
- UTF-8 with BOM, `;` between cells, decimal comma, no thousands separator (Excel reads
  `1234,5` as a number in a Swedish locale; `1 234,5` only sometimes);
- Swedish column names – an English identifier such as `cost_kr` is refused, so a table that
  was never translated cannot reach a user;
- numbers rounded to what the report shows (per column), counts as whole numbers (`84`, not
  `84,0`), an ASCII minus so that Excel reads `-3,2` as a number;
- an `År` column (the year, or the period a row covers) and a `Källa` column on every row;
- text that a spreadsheet would evaluate (`=…`, `+…`) kept as text (sheetsafe), empty where a
  value is missing.
"""

import csv
import io
import math
import re

import pandas as pd

from . import sheetsafe

YEAR = "År"
SOURCE = "Källa"
# An identifier, not a heading: lower case ASCII joined by underscores ('cost_kr', 'gender').
_IDENTIFIER = re.compile(r"[a-z0-9]+(_[a-z0-9]+)+|[a-z]+")
ENGLISH_WORDS = {
    "year", "gender", "value", "share", "cost", "count", "area", "code", "name", "kind",
    "scenario", "label", "total", "low", "high", "mid", "source", "period",
}  # fmt: skip


class UntranslatedColumn(ValueError):
    """A download would carry a column name meant for code, not for a reader."""


def check_headers(columns) -> None:
    for column in columns:
        text = str(column)
        if _IDENTIFIER.fullmatch(text) and (text in ENGLISH_WORDS or "_" in text):
            raise UntranslatedColumn(f"Kolumnen {text!r} saknar svensk rubrik.")


def _is_whole(series: pd.Series) -> bool:
    values = series.dropna().astype(float)
    return bool(len(values)) and bool(((values - values.round()).abs() < 1e-6).all())


def number_cell(value, decimals: int) -> str:
    """'1234,5', '-3', '' for missing: a number Swedish Excel reads as a number."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    value = float(value)
    text = f"{round(value, decimals):.{decimals}f}"
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-")  # no '-0,0'
    return text.replace(".", ",")


def unit_decimals(column: str, series: pd.Series, default: int | None = None) -> int:
    """Decimals a Swedish report gives a figure, by its unit in the heading: whole kronor,
    one decimal for Mkr, percent and percentage points, two per 1 000 invånare; otherwise
    one decimal, two for small ratios (0,83 gånger)."""
    if _is_whole(series):
        return 0
    name = column.lower()
    if "(kr)" in name:
        return 0
    if "per 1" in name and "000" in name:
        return 2
    if "mkr" in name or "%" in name or "procentenheter" in name:
        return 1
    if default is not None:
        return default
    biggest = series.dropna().abs().max() if series.notna().any() else 0
    return 1 if biggest >= 10 else 2


def prepare(
    frame: pd.DataFrame,
    source: str,
    year=None,
    decimals: dict | None = None,
    default_decimals: int | None = None,
) -> pd.DataFrame:
    """The table as it is written: index as columns, `År` first, `Källa` last, numbers as text
    in Swedish form. `year` fills `År` when the table has no year column of its own."""
    decimals = decimals or {}
    out = frame.copy()
    if not isinstance(out.index, pd.RangeIndex) or out.index.name is not None:
        out = out.reset_index()
    out.columns = [str(c) for c in out.columns]
    if YEAR not in out.columns:
        if year is None:
            raise ValueError("En nedladdning behöver en årskolumn eller ett år.")
        out.insert(0, YEAR, str(year))
    else:
        out.insert(0, YEAR, out.pop(YEAR))
    out[SOURCE] = source.removeprefix("Källa: ")
    check_headers(out.columns)
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_bool_dtype(series):
            out[column] = series.map({True: "ja", False: "nej"})
        elif pd.api.types.is_numeric_dtype(series):
            places = decimals.get(column, unit_decimals(column, series, default_decimals))
            out[column] = series.map(lambda v, d=places: number_cell(v, d))
        else:
            out[column] = series.map(
                lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
            )
    return out


def csv_bytes(frame: pd.DataFrame, source: str, year=None, decimals: dict | None = None,
              default_decimals: int | None = None) -> bytes:  # fmt: skip
    """The table as a CSV for Swedish Excel (see the module's rules)."""
    table = prepare(frame, source, year, decimals, default_decimals)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([sheetsafe.cell(c) for c in table.columns])
    for row in table.itertuples(index=False):
        writer.writerow([sheetsafe.cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")
