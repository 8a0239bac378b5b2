"""Reading a published sheet, CSV or Excel, into rows of text cells, and reading counts in them."""

import codecs
import csv
import hashlib
import math
import re
from pathlib import Path

from ...core.errors import ParseError

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


MAX_BYTES = 200 * 1024 * 1024  # the largest published file we read is 3,6 MB
MAX_ROWS = 1_000_000  # a sheet of Sweden's kommuner has a few hundred


def read_bounded(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The file's bytes, but never more than `limit` (a file that grows or a link swapped for
    /dev/zero after the size check cannot fill the memory)."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ParseError(
            path, f"är större än {limit // (1024 * 1024)} MB; ingen publicerad fil vi läser är det"
        )
    return data


def _read_csv(path: Path) -> list[list[str]]:
    text = decode(path, read_bounded(path))
    head = "\n".join(text.splitlines()[:20])
    sep = ";" if head.count(";") > head.count(",") else ","
    return [[cell.strip() for cell in row] for row in csv.reader(text.splitlines(), delimiter=sep)]


def decode(path: Path, raw: bytes) -> str:
    """The text of a CSV as Excel and publishers save it: UTF-8 (with or without BOM),
    UTF-16 ('Unicode text' in Excel, with BOM or without), or Windows-1252. Anything else (a
    binary file named .csv) is a ParseError that says so."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_as(path, raw, "utf-16")
    head = raw[:4096]
    if b"\x00" in head:
        even, odd = head[0::2], head[1::2]
        if odd and odd.count(0) > 0.9 * len(odd):
            return _decode_as(path, raw, "utf-16-le")
        if even and even.count(0) > 0.9 * len(even):
            return _decode_as(path, raw, "utf-16-be")
        raise ParseError(
            path,
            "innehåller nollbytes: det är ingen textfil (en binärfil med fel filändelse?). "
            "Spara tabellen som CSV (UTF-8) eller .xlsx",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ParseError(
            path,
            f"okänd teckenkodning: byte {exc.start} är varken UTF-8, UTF-16 eller Windows-1252. "
            "Spara tabellen som CSV (UTF-8) eller .xlsx",
        ) from None


def _decode_as(path: Path, raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise ParseError(
            path, f"filen ser ut som UTF-16 men byte {exc.start} går inte att läsa"
        ) from None


def _read_xlsx(path: Path) -> list[list[str]]:
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about SCB's page headers
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = []
            for row in sheet.iter_rows(values_only=True):
                rows.append([_cell_text(v) for v in row])
                if len(rows) > MAX_ROWS:
                    raise ParseError(
                        path, f"har över {MAX_ROWS} rader; det är ingen publicerad tabell vi läser"
                    )
        except ParseError:
            raise
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
