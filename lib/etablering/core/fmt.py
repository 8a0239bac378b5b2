"""Swedish number formatting for report text and tables: '15 200', '93,4 %', 'uppgift saknas'."""

import math

import pandas as pd

MISSING = "uppgift saknas"
NBSP = "\u00a0"  # keeps '15 200' on one line
MINUS = "\u2212"  # typographic minus, as in print
NONE = "–"  # no such figure (a category a source does not report), not a missing value


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def number(value, decimals: int = 0) -> str:
    """'15 200', '0,35', '−12' (Unicode minus; never '−0'), 'uppgift saknas'."""
    if _missing(value):
        return MISSING
    text = f"{abs(float(value)):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    negative = float(value) < 0 and text.strip("0,") != ""
    return (MINUS if negative else "") + text


def apart(a, b, decimals: int = 2, most: int = 4) -> tuple[str, str]:
    """Two numbers written with the fewest decimals (from `decimals` up to `most`) that keep
    different values apart: a sentence that says one is higher must not show '1,75 mot 1,75'."""
    for shown in range(decimals, most + 1):
        pair = number(a, shown), number(b, shown)
        if pair[0] != pair[1]:
            return pair
    return number(a, decimals), number(b, decimals)


def percent(value, decimals: int = 0) -> str:
    return MISSING if _missing(value) else f"{number(value, decimals)}{NBSP}%"


def times(value, decimals: int = 1) -> str:
    return MISSING if _missing(value) else f"{number(value, decimals)} gånger"


def listing(items) -> str:
    """'A', 'A och B', 'A, B och C'."""
    items = list(items)
    return " och ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def span(first: int, last: int) -> str:
    """'2018' or '2016–2022': every year from first to last."""
    return str(first) if first == last else f"{first}–{last}"


def year_runs(values) -> list[list[int]]:
    """The distinct years, sorted, in runs of consecutive years: [[2005, 2006, 2007], [2010]]."""
    runs: list[list[int]] = []
    for year in sorted({int(y) for y in values}):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return runs


def years(values) -> str:
    """'2018', '2016–2022', '2015, 2019 och 2020', '2014–2020 och 2022': a range only where no
    year is missing inside it (three years or more; two stand as two)."""
    runs = year_runs(values)
    if not runs:
        return MISSING
    if len(runs) == 1:
        return span(runs[0][0], runs[0][-1])
    items: list[str] = []
    for run in runs:
        items += [span(run[0], run[-1])] if len(run) >= 3 else [str(y) for y in run]
    return listing(items)


def rounded(value, decimals: int = 0) -> float:
    """The number `number` shows, as a float (NaN when missing): sums of shown figures agree."""
    if _missing(value):
        return math.nan
    return float(f"{float(value):.{decimals}f}")


def signed(value, decimals: int = 0) -> str:
    """'+3', '−12,5' (Unicode minus), '0': for differences and deviations."""
    if _missing(value):
        return MISSING
    text = number(abs(value), decimals)
    if text.strip("0,") == "":  # rounds to zero
        return text
    return ("+" if value > 0 else MINUS) + text
