"""Migrationsverket's 2018 sheets parsed from the real offline snapshot, as .xlsx, and broken.

Expected figures come from the snapshot's SOURCES.md and from the tidy derivatives the snapshot's
author made independently of the parser (tests/fixtures/migrationsverket/*_tidy.csv, copied from
../shared/data/raw/migrationsverket-2018-via-infovislabb/; used only as the test's oracle).
"""

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from etablering.core import paths
from etablering.core.errors import ParseError
from etablering.data.parse import scb
from etablering.data.parse.migrationsverket import parse_kommunmottagna, parse_kommuntal
from etablering.data.registry import Registry

RAW = paths.raw_dir()
TIDY = Path(__file__).parent / "fixtures" / "migrationsverket"
MV_DIR = "migrationsverket-2018-via-infovislabb"
KOMMUNTAL_CSV = "Anvisningar_enligt_kommuntalen_2018.csv"
MOTTAGNA_CSV = "Kommunmottagna_enligt_ersattningsforordningen_2018.csv"
CODE_LIST = "geo-sjbrg-swedish-geodata/scb_kommunlankod-2026_via_kamilovna.xlsx"
CATEGORIES = ["kvot", "abo", "ebo", "ovriga", "anhoriga"]

# The 23 kommuner SOURCES.md lists as absent from the kommuntal file.
NOT_IN_KOMMUNTAL = {
    "0181", "0428", "0481", "0482", "0563", "0761", "0767", "0821", "0860", "1060", "1081",
    "1256", "1275", "1782", "1863", "1864", "1885", "1960", "1962", "1982", "1984", "2083",
    "2084",
}  # fmt: skip


# --- fixtures (module-local on purpose: conftest.py belongs to someone else) -------------------
@pytest.fixture(scope="module")
def mv_dir() -> Path:
    folder = RAW / MV_DIR
    assert folder.is_dir(), f"the project's snapshot {RAW} is missing"
    return folder


@pytest.fixture(scope="module")
def scb_registry(mv_dir) -> Registry:
    return Registry(scb.parse_code_list(RAW / CODE_LIST))


@pytest.fixture(scope="module")
def kommuntal(mv_dir, scb_registry) -> pd.DataFrame:
    return parse_kommuntal(mv_dir / KOMMUNTAL_CSV, scb_registry)


@pytest.fixture(scope="module")
def mottagna(mv_dir, scb_registry) -> pd.DataFrame:
    return parse_kommunmottagna(mv_dir / MOTTAGNA_CSV, scb_registry)


# --- helpers ------------------------------------------------------------------------------------
def replace_line(src: Path, dest_dir: Path, line: int, expected: str, replacement: str) -> Path:
    """Copy `src` into `dest_dir` under the same name (the year stays in it), with text line
    `line` (1-based) changed from `expected` to `replacement`; every other byte is kept."""
    lines = src.read_bytes().decode("utf-8").split("\n")
    assert lines[line - 1].lstrip("\ufeff") == expected, lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(expected, replacement)
    out = dest_dir / src.name
    out.write_bytes("\n".join(lines).encode("utf-8"))
    return out


def spreadsheet_row(path: Path, line: int, delimiter: str = ";") -> int:
    """The row number a spreadsheet program shows for text line `line`.

    The Kommunmottagna CSV has two quoted note cells with a line break inside, so from text
    line 4 on its spreadsheet rows are 2 lower than its text lines. The kommuntal CSV has none.
    """
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        for row_no, _ in enumerate(reader, start=1):
            if reader.line_num >= line:
                return row_no
    raise AssertionError(f"{path} has fewer than {line} lines")


def csv_rows(path: Path, delimiter: str) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh, delimiter=delimiter))


def write_xlsx(
    rows: list[list[str]], dest: Path, count_columns: set[int], int_columns: set[int]
) -> dict[str, int]:
    """Write `rows` as the first sheet of `dest`, the way an Excel download looks: counts of
    1 000 and more as text with a space thousands separator ('1 381'), smaller counts in turn as
    an int, a float (Excel stores numbers as floats) and text; `int_columns` (codes such as
    Länskod) as ints; empty cells left empty. Returns how many cells got each style."""
    styles = {"int": 0, "float": 0, "text": 0, "text_thousands": 0}
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for r, row in enumerate(rows):
        out = []
        for c, cell in enumerate(row):
            digits = cell.replace(" ", "")
            if cell == "":
                out.append(None)
            elif c in int_columns and digits.isdigit():
                out.append(int(digits))
            elif c in count_columns and digits.isdigit():
                n = int(digits)
                if n >= 1000:
                    out.append(f"{n:,}".replace(",", " "))
                    styles["text_thousands"] += 1
                else:
                    style = ("int", "float", "text")[(r + c) % 3]
                    out.append({"int": n, "float": float(n), "text": str(n)}[style])
                    styles[style] += 1
            else:
                out.append(cell)
        sheet.append(out)
    workbook.save(dest)
    return styles


def assert_parse_error(exc: ParseError, path: Path, row: int | None, column: str | None, text: str):
    message = str(exc)
    assert message.startswith(str(path)), message
    assert path.name in message
    if row is not None:
        assert f", rad {row}" in message, message
        assert exc.row == row
    if column is not None:
        assert f"kolumn {column!r}" in message, message
        assert exc.column == column
    assert text in message, message


# --- kommuntal 2018 -----------------------------------------------------------------------------
def test_kommuntal_2018_has_267_kommuner_and_national_totals(kommuntal):
    assert len(kommuntal) == 267
    assert kommuntal["kommun_code"].is_unique
    assert kommuntal["kommuntal"].sum() == 15_200
    assert kommuntal["mottagna_anvisade"].sum() == 14_588
    assert set(kommuntal["year"]) == {2018}
    assert set(kommuntal["origin"]) == {"migrationsverket_fil"}
    assert kommuntal["kommun_code"].str.fullmatch(r"\d{4}").all()


def test_kommuntal_2018_jonkoping_199_and_unlisted_kommuner_absent_not_zero(
    kommuntal, scb_registry
):
    by_code = kommuntal.set_index("kommun_code")
    assert by_code.loc["0680", "kommuntal"] == 199
    assert by_code.loc["0680", "mottagna_anvisade"] == 199
    assert "0181" not in by_code.index  # Södertälje: not listed, so no row (not a row with 0)
    all_kommuner = {a.code for a in scb_registry.kommuner()}
    assert len(all_kommuner) == 290
    assert all_kommuner - set(by_code.index) == NOT_IN_KOMMUNTAL
    assert (by_code["kommuntal"] == 0).sum() == 23  # the 23 listed with an explicit 0


def test_kommuntal_2018_equals_tidy_derivative_row_by_row(kommuntal, mv_dir):
    tidy = pd.read_csv(TIDY / "kommuntal_2018_tidy.csv", dtype=str)
    assert len(tidy) == 267
    expected = tidy.sort_values("kommun_code").reset_index(drop=True)
    got = kommuntal.sort_values("kommun_code").reset_index(drop=True)
    assert list(got["kommun_code"]) == list(expected["kommun_code"])
    for g, e in zip(got.itertuples(), expected.itertuples(), strict=True):
        assert (g.year, g.kommun_code, g.kommuntal, g.mottagna_anvisade) == (
            int(e.year),
            e.kommun_code,
            int(e.kommuntal),
            int(e.mottagna_anvisade),
        ), e.kommun_name
        assert g.kommun_code[:2] == e.lan_code


# --- kommunmottagna 2018 ------------------------------------------------------------------------
def test_kommunmottagna_2018_has_290_kommuner_by_5_categories(mottagna):
    assert len(mottagna) == 290 * 5
    assert mottagna["kommun_code"].nunique() == 290
    assert set(mottagna["category"]) == set(CATEGORIES)
    assert (mottagna.groupby("kommun_code").size() == 5).all()
    assert mottagna["persons"].sum() == 44_216
    assert mottagna["ensamkommande"].sum() == 6_635
    assert set(mottagna["year"]) == {2018}


@pytest.mark.parametrize(
    ("category", "persons"),
    [("kvot", 5_028), ("abo", 11_068), ("ebo", 7_859), ("ovriga", 3_699), ("anhoriga", 16_562)],
)
def test_kommunmottagna_2018_national_total_per_category(mottagna, category, persons):
    assert mottagna.loc[mottagna["category"] == category, "persons"].sum() == persons


def test_kommunmottagna_2018_equals_tidy_derivative_for_every_kommun_and_category(mottagna, mv_dir):
    tidy = pd.read_csv(TIDY / "kommunmottagna_2018_by_category_tidy.csv", dtype=str)
    assert len(tidy) == 290
    expected = pd.concat(
        [
            pd.DataFrame(
                {
                    "kommun_code": tidy["kommun_code"],
                    "category": cat,
                    "persons": tidy[cat].astype(int),
                    "ensamkommande": tidy[f"{cat}_ensamk"].astype(int),
                }
            )
            for cat in CATEGORIES
        ]
    )
    key = ["kommun_code", "category"]
    got = mottagna[key + ["persons", "ensamkommande"]].sort_values(key).reset_index(drop=True)
    expected = expected.sort_values(key).reset_index(drop=True)
    assert got.values.tolist() == expected.values.tolist()
    # and the tidy file's own Totalt columns agree with the parsed categories
    per_kommun = mottagna.groupby("kommun_code")[["persons", "ensamkommande"]].sum()
    totals = tidy.set_index("kommun_code")[["totalt", "totalt_ensamk"]].astype(int)
    assert per_kommun.loc[totals.index].values.tolist() == totals.values.tolist()


def test_kommunmottagna_upplands_vasby_with_hyphen_is_0114(mottagna):
    vasby = mottagna[mottagna["kommun_code"] == "0114"].set_index("category")
    # ;;UPPLANDS-VÄSBY;25;1;55;10;39;12;18;14;32;;169;37
    assert vasby["persons"].to_dict() == {
        "kvot": 25, "abo": 55, "ebo": 39, "ovriga": 18, "anhoriga": 32,
    }  # fmt: skip
    assert vasby["ensamkommande"].to_dict() == {
        "kvot": 1, "abo": 10, "ebo": 12, "ovriga": 14, "anhoriga": 0,
    }  # fmt: skip


def test_kommunmottagna_empty_cell_is_zero_olofstrom(mottagna):
    # ;;OLOFSTRÖM;;;2;2;30;;11;2;50;;93;4  (kvot and several 'varav' cells are empty)
    olofstrom = mottagna[mottagna["kommun_code"] == "1060"].set_index("category")
    assert olofstrom.loc["kvot", "persons"] == 0
    assert olofstrom.loc["kvot", "ensamkommande"] == 0
    assert olofstrom.loc["ebo", "ensamkommande"] == 0
    assert olofstrom.loc["anhoriga", "ensamkommande"] == 0
    assert olofstrom["persons"].sum() == 93
    assert olofstrom["ensamkommande"].sum() == 4


# --- the same sheets as .xlsx -------------------------------------------------------------------
def test_kommuntal_xlsx_parses_exactly_like_the_csv(kommuntal, mv_dir, scb_registry, tmp_path):
    rows = csv_rows(mv_dir / KOMMUNTAL_CSV, ",")
    xlsx = tmp_path / "Anvisningar_enligt_kommuntalen_2018.xlsx"
    styles = write_xlsx(rows, xlsx, count_columns={4, 5}, int_columns={2})
    assert min(styles.values()) > 0, styles  # every style of number cell was exercised
    got = parse_kommuntal(xlsx, scb_registry)
    pd.testing.assert_frame_equal(got, kommuntal)


def test_kommunmottagna_xlsx_parses_exactly_like_the_csv(mottagna, mv_dir, scb_registry, tmp_path):
    rows = csv_rows(mv_dir / MOTTAGNA_CSV, ";")
    xlsx = tmp_path / "Kommunmottagna_enligt_ersattningsforordningen_2018.xlsx"
    styles = write_xlsx(rows, xlsx, count_columns=set(range(3, 15)), int_columns=set())
    assert min(styles.values()) > 0, styles
    got = parse_kommunmottagna(xlsx, scb_registry)
    pd.testing.assert_frame_equal(got, mottagna)


# --- malformed kommuntal ------------------------------------------------------------------------
JONKOPING = "JÖNKÖPINGS LÄN,JÖNKÖPING,6,0680,199,199"  # text line 55


def test_kommuntal_without_mottagna_column_names_the_missing_column(mv_dir, scb_registry, tmp_path):
    src = mv_dir / KOMMUNTAL_CSV
    text = src.read_bytes().decode("utf-8")
    dropped = "\n".join(line.rsplit(",", 1)[0] if line else line for line in text.split("\n"))
    assert dropped.split("\n")[0] == "\ufeffLän,Kommun,Länskod,Kommunkod,Tal"
    bad = tmp_path / src.name
    bad.write_bytes(dropped.encode("utf-8"))
    with pytest.raises(ParseError) as exc:
        parse_kommuntal(bad, scb_registry)
    assert_parse_error(exc.value, bad, 1, None, "saknar kolumnerna ['Mottagna']")


def test_kommuntal_without_tal_header_names_the_missing_column(mv_dir, scb_registry, tmp_path):
    header = "Län,Kommun,Länskod,Kommunkod,Tal,Mottagna"
    bad = replace_line(
        mv_dir / KOMMUNTAL_CSV, tmp_path, 1, header, "Län,Kommun,Länskod,Kommunkod,Mottagna"
    )
    with pytest.raises(ParseError) as exc:
        parse_kommuntal(bad, scb_registry)
    assert_parse_error(exc.value, bad, 1, None, "saknar kolumnerna ['Tal']")


@pytest.mark.parametrize(
    ("line", "expected", "replacement", "column", "text"),
    [
        pytest.param(
            55, JONKOPING, "JÖNKÖPINGS LÄN,JÖNKÖPING,6,0680,tio,199", "Tal",
            "'tio' är inte ett antal", id="text-in-Tal",
        ),
        pytest.param(
            55, JONKOPING, "JÖNKÖPINGS LÄN,JÖNKÖPING,6,0680,199,-5", "Mottagna",
            "'-5' är inte ett antal", id="negative-Mottagna",
        ),
        pytest.param(
            49, "JÖNKÖPINGS LÄN,,6,,428,415", "JÖNKÖPINGS LÄN,,6,,429,415", None,
            "länsraden (429, 415) stämmer inte med summan av kommunraderna (428, 415)",
            id="lan-subtotal-mismatch",
        ),
        pytest.param(
            55, JONKOPING, "JÖNKÖPINGS LÄN,JÖNKÖPING,6,9999,199,199", "Kommunkod",
            "okänd kommunkod 9999", id="unknown-code",
        ),
        pytest.param(
            55, JONKOPING, "JÖNKÖPINGS LÄN,JÖNKÖPING,7,0680,199,199", "Länskod",
            "JÖNKÖPING ligger inte i län 07", id="kommun-in-wrong-lan",
        ),
    ],
)  # fmt: skip
def test_malformed_kommuntal_error_names_file_row_and_column(
    mv_dir, scb_registry, tmp_path, line, expected, replacement, column, text
):
    bad = replace_line(mv_dir / KOMMUNTAL_CSV, tmp_path, line, expected, replacement)
    assert spreadsheet_row(bad, line, ",") == line  # no multi-line cells in this file
    with pytest.raises(ParseError) as exc:
        parse_kommuntal(bad, scb_registry)
    assert_parse_error(exc.value, bad, line, column, text)


# --- a code that lost its leading zero ----------------------------------------------------------
BOTKYRKA = "STOCKHOLMS LÄN,BOTKYRKA,1,0127,92,92"  # text line 136


def test_kommuntal_three_digit_code_is_accepted_when_name_confirms_it(
    kommuntal, mv_dir, scb_registry, tmp_path
):
    bad = replace_line(
        mv_dir / KOMMUNTAL_CSV, tmp_path, 136, BOTKYRKA, "STOCKHOLMS LÄN,BOTKYRKA,1,127,92,92"
    )
    got = parse_kommuntal(bad, scb_registry)
    pd.testing.assert_frame_equal(got, kommuntal)
    botkyrka = got[got["kommun_code"] == "0127"]
    assert botkyrka[["kommuntal", "mottagna_anvisade"]].values.tolist() == [[92, 92]]
    assert "127" not in set(got["kommun_code"])


def test_kommuntal_three_digit_code_with_another_kommuns_name_is_rejected(
    mv_dir, scb_registry, tmp_path
):
    bad = replace_line(
        mv_dir / KOMMUNTAL_CSV, tmp_path, 136, BOTKYRKA, "STOCKHOLMS LÄN,HUDDINGE,1,127,92,92"
    )
    with pytest.raises(ParseError) as exc:
        parse_kommuntal(bad, scb_registry)
    assert_parse_error(
        exc.value, bad, 136, "Kommunkod", "koden 0127 hör till Botkyrka, inte HUDDINGE"
    )


def test_kommuntal_three_digit_code_with_unknown_name_is_rejected(mv_dir, scb_registry, tmp_path):
    bad = replace_line(
        mv_dir / KOMMUNTAL_CSV, tmp_path, 136, BOTKYRKA, "STOCKHOLMS LÄN,ATLANTIS,1,127,92,92"
    )
    with pytest.raises(ParseError) as exc:
        parse_kommuntal(bad, scb_registry)
    assert_parse_error(exc.value, bad, 136, None, "ATLANTIS")


# --- malformed kommunmottagna -------------------------------------------------------------------
HEADER = (
    ";;;Kvotflykting (Kategori 1);varav ensamk barn;Person från anläggningsboende (ABO) i "
    "Migrations-verkets mottagningssystem (Kategori 2);varav ensamk barn;Person från eget boende "
    "(EBO) i Migrations-verkets mottagningssystem (Kategori 6);varav ensamk barn;Övriga "
    "(Kategori 3 och 8);varav ensamk barn;Anhöriga (Kategori 4);varav ensamk barn;Totalt;"
    "varav ensamk barn"
)  # text line 9
KARLSHAMN = "BLEKINGE LÄN;;KARLSHAMN;6;;11;1;28;6;13;7;112;;170;14"  # text line 10
OLOFSTROM = ";;OLOFSTRÖM;;;2;2;30;;11;2;50;;93;4"  # text line 12
BLEKINGE_DELSUMMA = "BLEKINGE LÄN;;Delsumma;28;;92;34;167;18;76;46;429;;792;98"  # text line 15
TOTALT = ";;Totalt;5 028;116;11 068;2 265;7 859;1 534;3 699;2 710;16 562;10;44 216;6 635"  # 342

MALFORMED_MOTTAGNA = [
    pytest.param(
        9, HEADER, HEADER.replace("Övriga (Kategori 3 och 8);varav ensamk barn;", ""), None,
        "rubrikraden saknar kolumnerna ['ovriga']", id="missing-ovriga-columns",
    ),
    pytest.param(
        10, KARLSHAMN, KARLSHAMN.replace(";KARLSHAMN;6;", ";KARLSHAMN;tio;"), "kvot",
        "'tio' är inte ett antal", id="text-in-count",
    ),
    pytest.param(
        12, OLOFSTROM, ";;OLOFSTRÖM;;;2;2;30;-5;11;2;50;;93;4", "ebo varav ensamk",
        "'-5' är inte ett antal", id="negative-count",
    ),
    pytest.param(
        10, KARLSHAMN, KARLSHAMN.replace(";170;14", ";171;14"), "Totalt",
        "kategorierna summerar till 170 personer men Totalt är 171", id="row-total-mismatch",
    ),
    pytest.param(
        15, BLEKINGE_DELSUMMA, BLEKINGE_DELSUMMA.replace("Delsumma;28;", "Delsumma;29;"), "kvot",
        "summaraden säger 29 (0 ensamk.) men kommunraderna ger 28 (0)", id="delsumma-mismatch",
    ),
    pytest.param(
        342, TOTALT, TOTALT.replace("11 068;2 265", "11 068;2 266"), "abo",
        "summaraden säger 11068 (2266 ensamk.) men kommunraderna ger 11068 (2265)",
        id="totalt-row-mismatch",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("line", "expected", "replacement", "column", "text"), MALFORMED_MOTTAGNA)
def test_malformed_kommunmottagna_error_names_file_row_and_column(
    mv_dir, scb_registry, tmp_path, line, expected, replacement, column, text
):
    """The row in the message is the spreadsheet row (what Excel shows, and what the .xlsx
    download would give)."""
    bad = replace_line(mv_dir / MOTTAGNA_CSV, tmp_path, line, expected, replacement)
    with pytest.raises(ParseError) as exc:
        parse_kommunmottagna(bad, scb_registry)
    assert_parse_error(exc.value, bad, spreadsheet_row(bad, line), column, text)


def test_kommunmottagna_unknown_kommun_name_is_reported_with_row(mv_dir, scb_registry, tmp_path):
    bad = replace_line(
        mv_dir / MOTTAGNA_CSV, tmp_path, 12, OLOFSTROM, OLOFSTROM.replace("OLOFSTRÖM", "ATLANTIS")
    )
    with pytest.raises(ParseError) as exc:
        parse_kommunmottagna(bad, scb_registry)
    row = spreadsheet_row(bad, 12)
    assert row == 10
    assert_parse_error(
        exc.value, bad, None, None, f"kommunnamn som inte finns i SCB:s kodlista (rätta namnet "
        f"eller kodlistan): rad {row}: ATLANTIS",
    )  # fmt: skip


def test_kommunmottagna_error_row_is_the_spreadsheet_row(mv_dir, scb_registry, tmp_path):
    # 'rad' counts rows as Excel shows them (the CSV opened in Excel, or the .xlsx): two note
    # cells span two text lines each, so KARLSHAMN on text line 10 is spreadsheet row 8.
    bad = replace_line(
        mv_dir / MOTTAGNA_CSV, tmp_path, 10, KARLSHAMN,
        KARLSHAMN.replace(";KARLSHAMN;6;", ";KARLSHAMN;tio;"),
    )  # fmt: skip
    with pytest.raises(ParseError) as exc:
        parse_kommunmottagna(bad, scb_registry)
    assert_parse_error(exc.value, bad, 8, "kvot", "'tio'")


@pytest.mark.parametrize(
    ("line", "expected", "replacement"),
    [
        pytest.param(
            15, BLEKINGE_DELSUMMA, BLEKINGE_DELSUMMA.replace(";792;98", ";793;98"),
            id="delsumma-totalt",
        ),
        pytest.param(342, TOTALT, TOTALT.replace("44 216", "44 217"), id="totalt-row-totalt"),
    ],
)  # fmt: skip
def test_kommunmottagna_wrong_totalt_column_on_a_sum_row_is_rejected(
    mv_dir, scb_registry, tmp_path, line, expected, replacement
):
    bad = replace_line(mv_dir / MOTTAGNA_CSV, tmp_path, line, expected, replacement)
    with pytest.raises(ParseError) as exc:
        parse_kommunmottagna(bad, scb_registry)
    assert_parse_error(exc.value, bad, spreadsheet_row(bad, line), None, "")
