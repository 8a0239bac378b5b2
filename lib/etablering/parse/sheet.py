"""Reading a published sheet, CSV or Excel, into rows of text cells, and reading counts in them."""

import csv
import hashlib
import math
import re
from pathlib import Path

from ..errors import ParseError

_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def read_rows(path: Path) -> list[list[str]]:
    """All rows of the first sheet as stripped strings ('' for empty), whatever the format.

    CSV: UTF-8 with or without BOM (cp1252 as fallback, as Excel on Windows writes it),
    separator ';' or ',' sniffed from the first lines. XLSX: the first worksheet, values only.
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if path.suffix.lower() in (".csv", ".txt"):
        return _read_csv(path)
    raise ParseError(path, f"okänt filformat {path.suffix!r}; väntade .csv eller .xlsx")


def _read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    head = "\n".join(text.splitlines()[:20])
    sep = ";" if head.count(";") > head.count(",") else ","
    return [[cell.strip() for cell in row] for row in csv.reader(text.splitlines(), delimiter=sep)]


def _read_xlsx(path: Path) -> list[list[str]]:
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about SCB's page headers
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # zip/xml errors from a broken download
            raise ParseError(path, f"kunde inte läsa Excel-filen: {exc}") from exc
    workbook.close()
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_count(text: str, path: Path, row: int, column: str, *, empty_is_zero: bool) -> int | None:
    """A published count: '1 842' -> 1842. Empty -> 0 where the publisher leaves zero cells
    blank (Migrationsverket), otherwise None. Text or negative numbers are errors."""
    cleaned = _SPACES.sub("", text)
    if cleaned == "":
        return 0 if empty_is_zero else None
    if not re.fullmatch(r"\d+", cleaned):
        raise ParseError(path, f"{text!r} är inte ett antal (väntade ett heltal ≥ 0)", row, column)
    return int(cleaned)


def parse_number(text: str, path: Path, row: int, column: str) -> float | None:
    """A decimal number such as '41,5' or '41.5'; empty -> None."""
    cleaned = _SPACES.sub("", text).replace(",", ".")
    if cleaned in ("", "..", "-"):
        return None
    try:
        value = float(cleaned)
    except ValueError:
        raise ParseError(path, f"{text!r} är inte ett tal", row, column) from None
    if math.isnan(value):
        return None
    return value


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def year_in_name(path: Path) -> int | None:
    match = re.search(r"(?<!\d)(19|20)\d\d(?!\d)", Path(path).stem)
    return int(match.group(0)) if match else None
