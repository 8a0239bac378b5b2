"""SCB files: the code list 'Län och kommuner' and population exports (BE0101N1, 000007ME)."""

import re
from pathlib import Path

import pandas as pd

from ...core.errors import ParseError
from ..origin import Origin
from .sheet import parse_count, read_rows

RIKET = ("0000", "Riket")


def parse_code_list(path: Path) -> pd.DataFrame:
    """SCB 'Län och kommuner <år>' (columns Kod, Namn) -> areas table.

    Area codes follow Kolada's 4-character convention: '0000' riket, '00LL' län, 'KKKK' kommun.
    """
    rows = read_rows(path)
    header = _find_row(rows, lambda r: r[:2] == ["Kod", "Namn"], path, "rubrikraden 'Kod; Namn'")
    records = [dict(code=RIKET[0], name=RIKET[1], kind="riket", lan_code="00")]
    for i, row in enumerate(rows[header + 1 :], start=header + 2):
        code, name = (row + ["", ""])[:2]
        if code in ("", "Code"):
            continue
        if re.fullmatch(r"\d{2}", code):
            records.append(dict(code="00" + code, name=name, kind="lan", lan_code=code))
        elif re.fullmatch(r"\d{4}", code):
            records.append(dict(code=code, name=name, kind="kommun", lan_code=code[:2]))
        else:
            raise ParseError(path, f"oväntad kod {code!r}", i, "Kod")
    areas = pd.DataFrame.from_records(records)
    n_kommun = (areas["kind"] == "kommun").sum()
    if n_kommun < 290:
        raise ParseError(path, f"bara {n_kommun} kommuner i kodlistan, väntade 290")
    return areas


def parse_population(path: Path) -> pd.DataFrame:
    """Population 31 Dec per kommun. Accepts the three layouts found in SCB exports:
    wide xlsx (code, name, one column per year), xlsx with 'KKKK Name' in one cell and one
    year column, and a long CSV (municipality_code, municipality, year, population)."""
    rows = read_rows(path)
    if rows and [c.lower() for c in rows[0][:4]] == [
        "municipality_code",
        "municipality",
        "year",
        "population",
    ]:
        return _population_long(rows, path)
    return _population_wide(rows, path)


def _population_long(rows, path) -> pd.DataFrame:
    records = []
    for i, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        code = _kommun_code(row[0], path, i)
        year = parse_count(row[2], path, i, "year", empty_is_zero=False)
        pop = parse_count(row[3], path, i, "population", empty_is_zero=False)
        if year is None or pop is None:
            raise ParseError(path, "år eller folkmängd saknas", i)
        records.append((code, year, _population(pop, path, i, "population"), i))
    return _population_frame(records, path)


def _population_wide(rows, path) -> pd.DataFrame:
    header = _find_row(
        rows,
        lambda r: any(re.fullmatch(r"(19|20)\d\d", c) for c in r),
        path,
        "en rubrikrad med årtal",
    )
    year_cols = {j: int(c) for j, c in enumerate(rows[header]) if re.fullmatch(r"(19|20)\d\d", c)}
    records = []
    for i, row in enumerate(rows[header + 1 :], start=header + 2):
        if not row or not row[0]:
            continue
        match = re.match(r"^(\d{3,4})\b", row[0])
        if not match:
            continue  # footnotes under the table
        code = _kommun_code(match.group(1), path, i)
        for j, year in year_cols.items():
            pop = parse_count(
                row[j] if j < len(row) else "", path, i, str(year), empty_is_zero=False
            )
            if pop is not None:
                records.append((code, year, _population(pop, path, i, str(year)), i))
    return _population_frame(records, path)


def _population(value: int, path, row: int, column: str) -> int:
    """A kommun's population is never 0: a zero (or an emptied cell read as one) would make
    every per-1 000 figure of the kommun and its län wrong."""
    if value <= 0:
        raise ParseError(
            path, f"folkmängden {value} är omöjlig (en kommun har minst en invånare)", row, column
        )
    return value


def _population_frame(records, path) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=["area_code", "year", "population", "row"])
    dup = frame.duplicated(["area_code", "year"], keep=False)
    if dup.any():
        first = frame[dup].iloc[0]
        rows = frame.loc[
            dup & (frame["area_code"] == first["area_code"]) & (frame["year"] == first["year"]),
            "row",
        ].tolist()
        raise ParseError(
            path,
            f"kommunen {first['area_code']} står {len(rows)} gånger för {first['year']} "
            f"(rad {', '.join(map(str, rows))}) i samma fil",
            rows[-1],
        )
    if frame.empty:
        raise ParseError(path, "hittade inga kommunrader med folkmängd")
    frame = frame.drop(columns="row")
    frame["origin"] = Origin.SCB_FILE.value  # which file: see the manifest
    return frame


def _kommun_code(text: str, path, row: int) -> str:
    if not re.fullmatch(r"\d{4}", text):
        raise ParseError(path, f"kommunkod {text!r} har inte fyra siffror", row, "kod")
    return text


def _find_row(rows, predicate, path, what: str) -> int:
    for i, row in enumerate(rows):
        if predicate(row):
            return i
    raise ParseError(path, f"hittade inte {what}")
