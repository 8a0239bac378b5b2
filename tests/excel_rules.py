"""Reading a CSV the way Swedish Excel does when an analyst double-clicks it.

Excel (Swedish locale) opens a `.csv` with a UTF-8 BOM as UTF-8 and splits it on `;` (the list
separator). Each cell is then typed as if it had been typed by hand:
- a cell beginning with `=`, `+`, `-` or `@` that is not a plain number is a formula;
- a number with a decimal comma and optional spaces as thousands separators (`1 234,5`,
  `-3,2`, `0114`) becomes a number – so a code's leading zero is lost (`0114` -> 114);
- `12 %` becomes the number 0.12; `2018-03-01` becomes a date;
- anything else is text, shown exactly as written (an apostrophe is not removed).
This reader applies those rules so that a test sees what the analyst sees.
"""

import csv
import datetime
import io
import re

NUMBER = re.compile(r"[+-]?\d{1,3}(?:[ \u00a0]\d{3})*(?:,\d+)?|[+-]?\d+(?:,\d+)?")
PERCENT = re.compile(r"(" + NUMBER.pattern + r")\s?%")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Formula(str):
    """A cell Excel would evaluate."""


def typed(cell: str):
    text = cell.strip()
    if text == "":
        return None
    if NUMBER.fullmatch(text):
        return float(text.replace(" ", "").replace("\u00a0", "").replace(",", "."))
    match = PERCENT.fullmatch(text)
    if match:
        return float(match.group(1).replace(" ", "").replace(",", ".")) / 100
    if DATE.fullmatch(text):
        return datetime.date.fromisoformat(text)
    if text[0] in "=+-@":
        return Formula(cell)
    return cell


def read(data: bytes) -> list[list]:
    """Rows of typed cells; fails if the file is not what Swedish Excel opens cleanly."""
    assert data.startswith(b"\xef\xbb\xbf"), "no BOM: Excel would read the file as ANSI"
    text = data[3:].decode("utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]
    assert all(isinstance(typed(h), str) and not isinstance(typed(h), Formula) for h in header)
    return [header] + [[typed(c) for c in row] for row in rows[1:]]
