"""Every rendered report and every download as an analyst reads them, for 0680 Jönköping,
1280 Malmö, 2403 Bjurholm, 2580 Luleå and Jönköpings län (06): no raw float, no English
heading, no unformatted number, CSVs that Swedish Excel opens with codes intact, and the
narratives' key sentences pinned."""

import base64
import html as htmlmod
import re

import pytest
from excel_rules import Formula, read

from etablering.present.export import check_headers
from etablering.run.batch import plan, run_batch
from etablering.run.site import write_site

pytestmark = pytest.mark.notebook
AREAS = ("0680", "1280", "2403", "2580", "0006")
NOTEBOOKS = ("01-mottagande", "02-etablering", "03-forsorjningsstod")
# A dot between digits is a raw float – except in a citation's section or registration number.
RAW_FLOAT = re.compile(r"(?<![\w.,§])(?<!avsnitt )(?<!Dnr )\d+\.\d+(?![\w.])")
MANY_DECIMALS = re.compile(r"\d,\d{4,}")
UNGROUPED = re.compile(r"(?<![\w/–\-.,:])\d{5,}(?![\w])")  # 12345 for 12 345
ASCII_MINUS = re.compile(r"(?:^|[\s(])-\d")


@pytest.fixture(scope="module")
def site(processed, registry, tmp_path_factory):
    out = tmp_path_factory.mktemp("output") / "reports"
    jobs = plan(
        [registry.get(c) for c in AREAS], list(NOTEBOOKS), {"data_dir": str(processed)}, "v1"
    )
    manifest = run_batch(jobs, out, "v1", workers=2, progress=False)
    assert all(r["status"] == "ok" for r in manifest["results"]), manifest["results"]
    write_site(out, {a.lan_code: a.name for a in registry.lan()}, "v1")
    return out


def _visible_text(page: str) -> str:
    """The page's text as a reader sees it: no scripts, styles, image data or the footer's
    program version."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'(src|href)="data:[^"]*"', "", page)
    page = re.sub(r"<footer>.*?</footer>", " ", page, flags=re.S)
    text = htmlmod.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.split())


def _pages(site):
    for code in AREAS:
        folder = next(site.glob(f"{code}-*"))
        for notebook in NOTEBOOKS:
            yield f"{code}/{notebook}", (folder / f"{notebook}.html").read_text(encoding="utf-8")


def _context(text: str, match) -> str:
    return text[max(0, match.start() - 50) : match.end() + 30]


def test_no_raw_float_or_unformatted_number_in_any_report(site):
    problems = []
    for name, page in _pages(site):
        text = _visible_text(page)
        for pattern in (RAW_FLOAT, MANY_DECIMALS, UNGROUPED, ASCII_MINUS):
            problems += [(name, _context(text, m)) for m in pattern.finditer(text)]
    assert not problems, problems[:20]


def test_no_english_column_heading_in_any_report(site):
    problems = []
    for name, page in _pages(site):
        for head in re.findall(r"<thead>(.*?)</thead>", page, flags=re.S):
            for th in re.findall(r"<th[^>]*>(.*?)</th>", head, flags=re.S):
                label = htmlmod.unescape(re.sub(r"<[^>]+>", "", th)).strip()
                try:
                    check_headers([label])
                except ValueError:
                    problems.append((name, label))
    assert not problems, problems


def _downloads(site):
    for name, page in _pages(site):
        for filename, blob in re.findall(
            r'<a download="([^"]+)" href="data:text/csv;base64,([^"]+)"', page
        ):
            yield name, htmlmod.unescape(filename), base64.b64decode(blob)


def test_every_download_opens_in_swedish_excel_as_the_report_shows_it(site):
    seen = 0
    for name, filename, data in _downloads(site):
        seen += 1
        rows = read(data)  # BOM, ';', every header text
        header, body = rows[0], rows[1:]
        check_headers(header)  # Swedish headings only
        assert header[0] == "År" and header[-1] == "Källa", (name, filename, header)
        assert body and all(row[-1] for row in body), (name, filename)  # a source on every row
        assert all(row[0] is not None for row in body), (name, filename)  # a year on every row
        raw = data.decode("utf-8-sig")
        assert not MANY_DECIMALS.search(raw), (name, filename, MANY_DECIMALS.search(raw))
        cells = [line.split(";") for line in raw.splitlines()[1:]]
        for i, column in enumerate(header):
            written = [c[i] for c in cells if i < len(c) and c[i]]
            # a column of counts reads 84, not 84,0 (Mkr, % and per 1 000 keep their decimals)
            counts = not re.search(r"Mkr|%|procentenheter|per 1", column)
            assert not (
                counts and written and all(re.fullmatch(r"-?\d+,0+", c) for c in written)
            ), (
                name,
                filename,
                column,
            )
        for row in body:
            assert not any(isinstance(c, Formula) for c in row), (name, filename, row)
        # an area code never stands alone where Excel would drop its leading zero
        assert not re.search(r"(^|;)0\d{3}(;|\r?$)", raw, flags=re.M), (name, filename)
    assert seen >= 15 * 3  # at least three downloads per report (a table and the charts)


def test_summary_opens_in_swedish_excel_with_codes_intact(site):
    import openpyxl

    rows = read((site / "sammanstallning.csv").read_bytes())
    areas = {row[0] for row in rows[1:]}
    assert {"0680 Jönköping", "2403 Bjurholm", "06 Jönköpings län"} <= areas
    book = openpyxl.load_workbook(site / "sammanstallning.xlsx")
    codes = {c.value for c in book["Sammanställning"]["A"][1:]}
    assert {"0680", "1280", "2403", "2580", "06"} <= codes
    assert all(c.data_type == "s" for c in book["Sammanställning"]["A"])


def _text(site, code: str, notebook: str) -> str:
    folder = next(site.glob(f"{code}-*"))
    return _visible_text((folder / f"{notebook}.html").read_text(encoding="utf-8"))


def test_narratives_read_as_swedish_with_their_years(site):
    """Key sentences as an analyst reads them: numbers with their year, Swedish words for
    Swedish things, no English or programme jargon."""
    j01 = _text(site, "0680", "01-mottagande")
    assert "Jönköping tog emot 241 personer 2022 , 78 fler än 2021 (+48 %)" in j01
    assert "Kommuntalet för 2022 saknas i underlaget – nedan visas 2018" in j01
    j02 = _text(site, "0680", "02-etablering")
    assert (
        "Av dem som lämnade etableringsuppdraget i Jönköping 2022 var 43 % av kvinnorna och "
        "70 % av männen i arbete eller studier" in j02
    )
    assert "Åren 2015–2024 (uppgifter för Jönköping finns till och med 2022)." in j02
    lulea = _text(site, "2580", "02-etablering")
    assert re.search(r"\d+ nyckeltal saknas för Luleå i underlaget", lulea)
    assert "etablering data fetch --group etablering" in lulea
    lan03 = _text(site, "0006", "03-forsorjningsstod")
    assert "Prognos 2023–2026:" in lan03 and "Utfall 2016–2022:" in lan03
    lan01 = _text(site, "0006", "01-mottagande")
    assert "Länskod 06" in lan01 and "0006" not in lan01
    for code in AREAS:
        for notebook in NOTEBOOKS:
            text = _text(site, code, notebook).lower()
            for word in ("kullstorlek", "cohort", "baseline", "nan", "none", "true", "false"):
                assert not re.search(rf"\b{word}\b", text), (code, notebook, word)


def test_every_chart_has_its_data_to_download_and_is_drawn_at_twice_the_size(site):
    import io

    from PIL import Image

    for name, page in _pages(site):
        figures = re.findall(r'<figure class="etablering-figure">(.*?)</figure>', page, flags=re.S)
        assert figures, name
        for figure in figures:
            assert "Ladda ner diagrammets data (CSV)" in figure, (name, figure[:200])
            width = int(re.search(r'width="(\d+)"', figure).group(1))
            png = base64.b64decode(re.search(r"base64,([^\"]+)\"", figure).group(1))
            assert Image.open(io.BytesIO(png)).width == 2 * width, name  # crisp in Word
