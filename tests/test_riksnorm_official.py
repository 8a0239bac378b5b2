"""Riksnormen in the parameters against the official amounts transcribed from their sources.

data/raw/transcribed-official/riksnorm_2014_2026_found.csv holds every amount found in a
published table (or a copy of one), riksnorm_sources.csv says what each source is. The model's
parameters must hold exactly those amounts, marked as published (derived: false).
"""

from decimal import Decimal

import pandas as pd
import pytest

from etablering.analysis.kefu import household_norm
from etablering.core import paths

OFFICIAL_DIR = paths.PROJECT_ROOT / "data" / "raw" / "transcribed-official"
FOUND = OFFICIAL_DIR / "riksnorm_2014_2026_found.csv"
SOURCES = OFFICIAL_DIR / "riksnorm_sources.csv"
COLUMNS = ["year", "item", "value", "source_id", "source_strength", "note"]
# A published table or a copy of one. 'weak' sources are checked apart.
PUBLISHED = ("official", "official_copy", "municipal_copy")
# How each source is named in the parameters' source (or note) text.
SOURCE_MARKERS = {
    "SOS2013": "oforandradebeloppiriksnormenfor2014",
    "SOS2015": "riksnormen 2015",
    "SOS2016INFO": "Dnr 3.8-27193/2016",
    "SOS2019": "Riksnormen för 2019",
    "SFS2020_1013": "SFS 2020:1013",
    "ENG2023": "engelholm.se",
    "REG2025": "riksnorm-for-2026-faststalld",
    "JS2020": "JS2020",
    "FORUM2018": "FORUM2018",
}
# The published totals: item -> (adults, personal item) whose sum with gemensamma is the total.
TOTALS = {"single_total": (1, "single_adult"), "couple_total": (2, "couple")}
# The published uprating into each year: (factor as written, kr added per item group).
# 2016: children 0–6 år +100, 7–18 and 19–20 år +250, gemensamma +10, adults unchanged
# (Socialstyrelsen; Regeringen 2015-10). 2018: all posts +1,6 %, children +200 (Regeringen 2017-11).
# 2019 +2 % (Socialstyrelsen), 2020 +1,9 % (jpinfonet), 2023 +8,6 %, 2024 +8,7 %, 2025 +2,8 %,
# 2026 +0,7 % (Regeringen). 2017 and 2021 are published tables; 2022's uprating was not found.
UPRATINGS = {
    2016: ("1", {"gem": 10, "child_0-6": 100, "child_7-20": 250}),
    2018: ("1,016", {"child": 200}),
    2019: ("1,02", {}),
    2020: ("1,019", {}),
    2023: ("1,086", {}),
    2024: ("1,087", {}),
    2025: ("1,028", {}),
    2026: ("1,007", {}),
}
CHILD_0_6 = ("child_0", "child_1-2", "child_3", "child_4-6")
# Socialstyrelsen rounds every delpost to tens before summing, so its own tables land up to one
# 10-kr step from the uprated item (2021: 15–18 år 3 950 × 1,003 = 3 962, published 3 970).
ROUNDING_KR = 10


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


FOUND_ROWS = _read(FOUND)
ITEM_ROWS = FOUND_ROWS[~FOUND_ROWS["item"].isin(list(TOTALS))]
PUBLISHED_ROWS = ITEM_ROWS[ITEM_ROWS["source_strength"].isin(PUBLISHED)]
WEAK_ROWS = ITEM_ROWS[ITEM_ROWS["source_strength"] == "weak"]


def _id(row) -> str:
    return f"{row.year}-{row.item}"


def record(params, year: int, item: str):
    """The parameter record for a CSV item: single_adult, couple, gem_<n>, child_<band>."""
    row = params.riksnorm.years[year]
    if item in ("single_adult", "couple"):
        return getattr(row, item)
    if item.startswith("gem_"):
        return row.gemensamma[int(item.removeprefix("gem_"))]
    if item.startswith("child_"):
        return row.children[item.removeprefix("child_")]
    raise AssertionError(f"okänd post {item!r} i {FOUND.name}")


def all_items(params, year: int) -> list[str]:
    row = params.riksnorm.years[year]
    return (
        ["single_adult", "couple"]
        + [f"gem_{n}" for n in row.gemensamma]
        + [f"child_{band}" for band in row.children]
    )


def test_the_official_file_is_read_as_written():
    assert list(FOUND_ROWS.columns) == COLUMNS
    assert FOUND_ROWS["value"].str.fullmatch(r"\d+").all()
    assert FOUND_ROWS["year"].str.fullmatch(r"20\d\d").all()
    assert not FOUND_ROWS.duplicated(["year", "item"]).any()
    assert set(FOUND_ROWS["source_strength"]) <= {*PUBLISHED, "weak"}
    known = set(_read(SOURCES)["source_id"])
    assert set(FOUND_ROWS["source_id"]) <= known
    assert set(FOUND_ROWS["source_id"]) <= set(SOURCE_MARKERS)
    assert len(PUBLISHED_ROWS) >= 100  # 2014, 2015, 2017, 2019, 2021 and 2023, 17 items each


@pytest.mark.parametrize("row", list(PUBLISHED_ROWS.itertuples()), ids=_id)
def test_every_published_amount_is_in_the_parameters(params, row):
    rec = record(params, int(row.year), row.item)
    assert rec.value == int(row.value)
    assert not rec.derived, "a published amount is not derived"
    assert SOURCE_MARKERS[row.source_id] in rec.source
    assert rec.year == int(row.year)


@pytest.mark.parametrize("row", list(WEAK_ROWS.itertuples()), ids=_id)
def test_amounts_from_weak_sources_are_kept_and_named(params, row):
    # A weak source is no published table: the amount is used, derived, and the source is named.
    rec = record(params, int(row.year), row.item)
    assert rec.value == int(row.value)
    assert rec.derived
    assert SOURCE_MARKERS[row.source_id] in f"{rec.source} {rec.note or ''} {rec.method}"


@pytest.mark.parametrize("total", list(TOTALS))
def test_published_totals(params, total):
    rows = FOUND_ROWS[FOUND_ROWS["item"] == total]
    assert len(rows) >= 1
    for row in rows.itertuples():
        year, (adults, personal) = int(row.year), TOTALS[total]
        assert household_norm(year, adults, [], params) == int(row.value)
        gem = record(params, year, f"gem_{adults}").value
        assert record(params, year, personal).value + gem == int(row.value)
        assert row.note == f"{personal} + gem_{adults}"
        assert SOURCE_MARKERS[row.source_id] in record(params, year, personal).source


def test_only_published_amounts_are_marked_published(params):
    published = {(int(r.year), r.item) for r in PUBLISHED_ROWS.itertuples()}
    for year in params.riksnorm.years:
        for item in all_items(params, year):
            rec = record(params, year, item)
            assert rec.derived == ((year, item) not in published), (year, item)
            if rec.derived:
                assert rec.method, (year, item)


def added_kr(rule: dict[str, int], item: str) -> int:
    groups = {"gem"} if item.startswith("gem_") else set()
    if item.startswith("child_"):
        groups |= {"child", "child_0-6" if item in CHILD_0_6 else "child_7-20"}
    return sum(kr for group, kr in rule.items() if group in groups)


def test_every_derived_amount_follows_its_stated_uprating(params):
    set_by_totals = {
        (int(r.year), TOTALS[r.item][1])
        for r in FOUND_ROWS[FOUND_ROWS["item"].isin(list(TOTALS))].itertuples()
    }
    checked = 0
    for year in params.riksnorm.years:
        for item in all_items(params, year):
            rec = record(params, year, item)
            if not rec.derived:
                continue
            assert rec.value % 10 == 0, (year, item)
            if (year, item) in set_by_totals:  # checked against the totals above
                assert rec.method.startswith("publicerad summa"), (year, item)
                continue
            if rec.method.startswith(f"{year - 1}-värdet"):  # uprated from the year before
                factor_text, rule = UPRATINGS[year]
                before, after = record(params, year - 1, item).value, rec.value
            elif rec.method.startswith(f"{year + 1}-värdet"):  # back from the year after
                factor_text, rule = UPRATINGS[year + 1]
                before, after = rec.value, record(params, year + 1, item).value
            else:
                raise AssertionError(f"{year} {item}: method names no year to start from")
            factor = Decimal(factor_text.replace(",", "."))
            add = added_kr(rule, item)
            if factor != 1:
                assert factor_text in rec.method, (year, item)
            if add:
                assert f"+ {add} kr" in rec.method, (year, item)
            expected = before * float(factor) + add
            assert abs(after - expected) <= ROUNDING_KR, (year, item, after, expected)
            checked += 1
    assert checked >= 100  # 2016, 2018, 2020, 2022, 2024–2026
