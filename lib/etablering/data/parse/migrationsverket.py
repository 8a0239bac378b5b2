"""Migrationsverket's sheets as published (CSV export or the .xlsx a user downloads):

- "Anvisningar enligt kommuntalen <år>": Län, Kommun, Länskod, Kommunkod, Tal, Mottagna, with a
  län subtotal row (empty Kommun) before each län's kommuner.
- "Kommunmottagna enligt ersättningsförordningen <år>": note lines, a header row, kommuner named
  in upper case without codes, a 'Delsumma' row per län and a 'Totalt' row; an empty cell is a
  count of zero (the Totalt column proves it).

Both parsers check every subtotal and total in the file against the kommun rows, and fail with
file, row and column on anything they cannot account for.
"""

import re
from pathlib import Path

import pandas as pd

from ...core.errors import ParseError
from ..origin import Origin
from ..registry import Registry
from .sheet import parse_count, read_rows, year_in_name

ORIGIN = Origin.MIGRATIONSVERKET_FILE.value
KOMMUNTAL_COLUMNS = ["Län", "Kommun", "Länskod", "Kommunkod", "Tal", "Mottagna"]

# Header text -> category; each category column is followed by its "varav ensamk barn" column.
CATEGORY_HEADERS = [
    ("kvot", r"kvotflykting"),
    ("abo", r"\(abo\)"),
    ("ebo", r"\(ebo\)"),
    ("ovriga", r"övriga"),
    ("anhoriga", r"anhörig"),
    ("totalt", r"^totalt"),
]


# A title that states the year, e.g. "Kommunmottagna enligt ersättningsförordningen 2018." or
# "Anvisningar enligt kommuntalen 2019" (not "Uppdaterad 2019-03-25").
_TITLE_YEAR = re.compile(
    r"(?:kommuntal(?:en)?|ersättningsförordningen|kommunmottagna|anvisningar)"
    r"[^\d\n]{0,60}?(?<!\d)((?:19|20)\d\d)(?![\d-])",
    re.IGNORECASE,
)


def stated_year(rows: list[list[str]]) -> int | None:
    """The year the file's own title states, if it has one."""
    for row in rows[:15]:
        for cell in row:
            match = _TITLE_YEAR.search(cell)
            if match:
                return int(match.group(1))
    return None


def _year(path: Path, rows: list[list[str]], year: int | None) -> int:
    """The year from the file's content where it states one; the name must agree with it (a
    2018 file renamed 2019 would otherwise show 2018's people as 2019's)."""
    if year is not None:
        return year
    named, stated = year_in_name(path), stated_year(rows)
    if named is not None and stated is not None and named != stated:
        raise ParseError(
            path,
            f"filnamnet säger {named} men filens rubrik säger {stated}. Filen gäller {stated}: "
            "byt namn på den (eller välj rätt fil för "
            f"{named})",
        )
    found = stated or named
    if found is None:
        raise ParseError(path, "kunde inte avgöra vilket år filen gäller; ange årtalet i filnamnet")
    return found


def parse_kommuntal(path: Path, registry: Registry, year: int | None = None) -> pd.DataFrame:
    path = Path(path)
    rows = read_rows(path)
    header_at = next((i for i, r in enumerate(rows) if r[:6] == KOMMUNTAL_COLUMNS), None)
    if header_at is None:
        found = rows[0][:6] if rows else []
        missing = [c for c in KOMMUNTAL_COLUMNS if c not in found]
        raise ParseError(
            path, f"saknar kolumnerna {missing}; väntade rubriken {KOMMUNTAL_COLUMNS}", 1
        )
    year = _year(path, rows, year)
    records, subtotals, seen = [], {}, {}
    for i, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(row):
            continue
        row = row + [""] * (6 - len(row))
        lan_name, kommun_name, lan_code, kommun_code = row[:4]
        tal = parse_count(row[4], path, i, "Tal", empty_is_zero=False)
        received = parse_count(row[5], path, i, "Mottagna", empty_is_zero=False)
        if tal is None or received is None:
            raise ParseError(path, "Tal eller Mottagna saknas", i)
        lan_code = lan_code.zfill(2)  # the export drops the leading zero of län codes ('1')
        if not kommun_name:
            subtotals[lan_code] = (tal, received, i)
            continue
        area = _kommun(registry, kommun_code, kommun_name, path, i)
        if area.lan_code != lan_code:
            raise ParseError(path, f"{kommun_name} ligger inte i län {lan_code}", i, "Länskod")
        _first_time(seen, area.code, f"{area.code} {area.name}", path, i, "Kommunkod")
        records.append((year, area.code, tal, received, ORIGIN))
    frame = pd.DataFrame.from_records(
        records, columns=["year", "kommun_code", "kommuntal", "mottagna_anvisade", "origin"]
    )
    for lan_code, (tal, received, i) in subtotals.items():
        part = frame[frame["kommun_code"].str[:2] == lan_code]
        if (part["kommuntal"].sum(), part["mottagna_anvisade"].sum()) != (tal, received):
            raise ParseError(
                path,
                f"länsraden ({tal}, {received}) stämmer inte med summan av kommunraderna "
                f"({part['kommuntal'].sum()}, {part['mottagna_anvisade'].sum()})",
                i,
            )
    if frame.empty:
        raise ParseError(path, "inga kommunrader hittades")
    return frame


def _first_time(seen: dict[str, int], code: str, named: str, path, row: int, column: str):
    """Notes that `code` stands on `row`; a second row for the same kommun is an error (the
    two would be summed or one silently dropped)."""
    if code in seen:
        raise ParseError(
            path, f"{named} står två gånger i filen (rad {seen[code]} och {row})", row, column
        )
    seen[code] = row


def _kommun(registry: Registry, code: str, name: str, path, row: int):
    """The kommun of a row with a code: the code must exist and agree with the name."""
    padded = bool(re.fullmatch(r"\d{3}", code))
    if padded:
        code = code.zfill(4)  # a leading zero lost in Excel; only accepted if the name confirms it
    if not re.fullmatch(r"\d{4}", code):
        raise ParseError(path, f"kommunkod {code!r} har inte fyra siffror", row, "Kommunkod")
    try:
        area = registry.get(code)
    except Exception:
        raise ParseError(path, f"okänd kommunkod {code}", row, "Kommunkod") from None
    by_name = registry.match_name(name)
    if padded and by_name is None:
        raise ParseError(
            path,
            f"koden {code[1:]} saknar inledande nolla och namnet {name!r} "
            "bekräftar inte vilken kommun som avses",
            row,
            "Kommunkod",
        )
    if by_name is not None and by_name.code != area.code:
        raise ParseError(path, f"koden {code} hör till {area.name}, inte {name}", row, "Kommunkod")
    return area


def parse_kommunmottagna(path: Path, registry: Registry, year: int | None = None) -> pd.DataFrame:
    path = Path(path)
    rows = read_rows(path)
    header_at = next(
        (i for i, r in enumerate(rows) if any(re.search("kvotflykting", c, re.I) for c in r)), None
    )
    if header_at is None:
        raise ParseError(path, "hittade ingen rubrikrad med 'Kvotflykting'; är det rätt fil?")
    columns = _category_columns(rows[header_at], path, header_at + 1)
    name_col = min(col for col, _ in columns.values()) - 1
    year = _year(path, rows, year)

    records, lan_rows, total_row, current_lan = [], [], None, None
    unmatched, seen = [], {}
    for i, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(row):
            continue
        row = row + [""] * (max(c for pair in columns.values() for c in pair) + 1 - len(row))
        counts = {
            cat: (
                parse_count(row[col], path, i, cat, empty_is_zero=True),
                parse_count(row[ens], path, i, f"{cat} varav ensamk", empty_is_zero=True),
            )
            for cat, (col, ens) in columns.items()
        }
        label = row[name_col]
        if row[0]:
            current_lan = row[0]
        if label.casefold() == "delsumma":
            lan_rows.append((current_lan, counts, i))
            continue
        if label.casefold() == "totalt":
            total_row = (counts, i)
            continue
        if not label:
            raise ParseError(path, "rad med siffror men utan kommunnamn", i, "Kommun")
        _check_row_total(counts, path, i)
        area = registry.match_name(label)
        if area is None:
            unmatched.append(f"rad {i}: {label}")
            continue
        _first_time(seen, area.code, label, path, i, "Kommun")
        lan = registry.match_name(current_lan or "", kind="lan")
        if lan is not None and lan.lan_code != area.lan_code:
            raise ParseError(
                path, f"{label} står under {current_lan} men hör till ett annat län", i
            )
        for cat in columns:
            if cat != "totalt":
                records.append((year, area.code, cat, *counts[cat], ORIGIN))
    if unmatched:
        raise ParseError(
            path,
            "kommunnamn som inte finns i SCB:s kodlista (rätta namnet eller kodlistan): "
            + "; ".join(unmatched),
        )
    frame = pd.DataFrame.from_records(
        records,
        columns=["year", "kommun_code", "category", "persons", "ensamkommande", "origin"],
    )
    if frame.empty:
        raise ParseError(path, "inga kommunrader hittades")
    dup = frame.duplicated(["kommun_code", "category"])
    if dup.any():
        raise ParseError(
            path, f"kommunen {frame.loc[dup, 'kommun_code'].iloc[0]} står flera gånger"
        )
    _check_subtotals(frame, lan_rows, total_row, registry, path)
    return frame


def _category_columns(header: list[str], path, row: int) -> dict[str, tuple[int, int]]:
    columns = {}
    for j, text in enumerate(header):
        for cat, pattern in CATEGORY_HEADERS:
            if cat not in columns and re.search(pattern, text.strip(), re.I):
                following = header[j + 1] if j + 1 < len(header) else ""
                if not re.search(r"varav ensamk", following, re.I):
                    raise ParseError(
                        path, f"kolumnen efter {text!r} är inte 'varav ensamk barn'", row
                    )
                columns[cat] = (j, j + 1)
                break
    missing = [cat for cat, _ in CATEGORY_HEADERS if cat not in columns]
    if missing:
        raise ParseError(path, f"rubrikraden saknar kolumnerna {missing}", row)
    return columns


def _check_row_total(counts, path, row: int) -> None:
    for k, what in ((0, "personer"), (1, "ensamkommande")):
        parts = sum(v[k] for cat, v in counts.items() if cat != "totalt")
        if parts != counts["totalt"][k]:
            raise ParseError(
                path,
                f"kategorierna summerar till {parts} {what} men Totalt är {counts['totalt'][k]}",
                row,
                "Totalt",
            )


def _check_subtotals(frame, lan_rows, total_row, registry, path) -> None:
    sums = frame.groupby("category")[["persons", "ensamkommande"]].sum()
    for lan_name, counts, row in lan_rows:
        lan = registry.match_name(lan_name or "", kind="lan")
        if lan is None:
            raise ParseError(path, f"okänt län {lan_name!r} på delsummaraden", row)
        part = frame[frame["kommun_code"].str[:2] == lan.lan_code]
        _compare(part.groupby("category")[["persons", "ensamkommande"]].sum(), counts, path, row)
    if total_row is not None:
        _compare(sums, total_row[0], path, total_row[1])


def _compare(sums, counts, path, row) -> None:
    for cat, (persons, ens) in counts.items():
        if cat == "totalt":
            got = (int(sums["persons"].sum()), int(sums["ensamkommande"].sum()))
        elif cat in sums.index:
            got = (int(sums.loc[cat, "persons"]), int(sums.loc[cat, "ensamkommande"]))
        else:
            got = (0, 0)
        if got != (persons, ens):
            raise ParseError(
                path,
                f"summaraden säger {persons} ({ens} ensamk.) men kommunraderna ger {got[0]} "
                f"({got[1]})",
                row,
                cat,
            )
