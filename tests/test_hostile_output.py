"""Hostile strings from data on their way out: the library's Markdown, tables, charts and every
CSV (issue 9, items 1 and 7). The same names through real reports in Chromium are in
test_browser.py."""

import base64
import csv
import io
import json
import re

import openpyxl
import pandas as pd
import pytest

from etablering.present import display, sheetsafe
from etablering.run.outfolder import META
from etablering.run.site import write_site

SCRIPT = "<script>document.title='pwned'</script>"
IMG = "<img src=x onerror=\"document.title='pwned'\">"


@pytest.mark.parametrize(
    "hostile",
    [
        SCRIPT,
        IMG,
        "<a href='javascript:alert(1)'>klicka</a>",
        "<iframe src=//evil.example></iframe>",
        "<svg onload=alert(1)>",
        "<style>body{display:none}</style>",
    ],
)
def test_raw_html_in_data_is_text_in_the_librarys_markdown(hostile):
    out = display.markdown_html(
        f"# Rapport – {hostile}Väsby\n\n{hostile} tog emot **494** personer"
    )
    assert "<script" not in out and "<img" not in out and "<iframe" not in out
    assert "<svg" not in out and "<style" not in out and "<a " not in out
    assert "&lt;" in out and "Väsby" in out
    assert "<h1>" in out and "<strong>494</strong>" in out  # the library's Markdown still works


@pytest.mark.parametrize(
    "link",
    [
        "[klicka](javascript:alert(1))",
        "[klicka](JaVaScRiPt:alert(1))",
        "[klicka](&#106;avascript:alert(1))",
        "[klicka](java\tscript:alert(1))",
        "[klicka](data:text/html;base64,PHNjcmlwdD4=)",
        "[klicka](vbscript:msgbox(1))",
        "[klicka](https://evil.example/)",
        "![bild](https://evil.example/spår.png)",
        "<https://evil.example>",
        "<javascript:alert(1)>",
        "[klicka][ref]\n\n[ref]: javascript:alert(1)",
    ],
)
def test_markdown_links_and_images_in_data_stay_text(link):
    out = display.markdown_html(f"Kommunen {link} tog emot 5 personer")
    assert "<a " not in out and "<img" not in out and "href" not in out and "src=" not in out


def test_text_displays_html_not_markdown(monkeypatch):
    shown = []
    monkeypatch.setattr(display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    display.text(f"Jönköping {SCRIPT} tog emot **494** personer")
    data, raw = shown[0]
    assert raw and "text/markdown" not in data
    assert "<strong>494</strong>" in data["text/html"] and "<script" not in data["text/html"]


def test_tables_notices_and_chart_titles_are_escaped():
    import matplotlib.pyplot as plt

    frame = pd.DataFrame({SCRIPT: [1]}, index=pd.Index([IMG], name=SCRIPT))
    out = display.table_html(frame, f"Källa: {SCRIPT}")
    assert "<script" not in out and "<img" not in out
    assert "<script" not in display.notice_html(f"`{SCRIPT}` {IMG}")
    fig, ax = plt.subplots()
    ax.set_title(f"{IMG} $\\x$ 100 $")  # '$' from data is no mathtext (parse_math off)
    out = display.chart_html(fig)
    assert out.count("<img") == 1 and "<img src=x" not in out and "&lt;img" in out


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://evil";"x")', '\'=HYPERLINK("http://evil";"x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        (" =1+1", "' =1+1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("-3,2", "-3,2"),  # a number stays a number
        ("+12", "+12"),
        ("-0,5", "-0,5"),
        ("Upplands Väsby", "Upplands Väsby"),
        ("", ""),
        (42, 42),
    ],
)
def test_spreadsheet_formulas_are_neutralised(value, safe):
    assert sheetsafe.cell(value) == safe


def test_download_csv_neutralises_cells_and_labels():
    frame = pd.DataFrame({"Kommun": ["=1+1", "Habo"], "@rubrik": [-1.5, 2.0]})
    out = display.download_html(frame, "x.csv", "=HYPERLINK(källa)", year=2018)
    raw = base64.b64decode(re.search(r'base64,([^"]+)"', out).group(1)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw), delimiter=";"))
    assert rows == [
        ["År", "Kommun", "'@rubrik", "Källa"],
        ["2018", "'=1+1", "-1,50", "'=HYPERLINK(källa)"],
        ["2018", "Habo", "2,00", "'=HYPERLINK(källa)"],
    ]


def test_summary_csv_neutralises_names(tmp_path):
    for slug, code, name in [("0114-x", "0114", '=HYPERLINK("x")'), ("0115-y", "0115", "@A1")]:
        folder = tmp_path / slug
        folder.mkdir()
        (folder / "01-mottagande.html").write_text("<html></html>")
        (folder / f"01-mottagande{META}").write_text(
            json.dumps(
                {
                    "code": code,
                    "name": name,
                    "kind": "kommun",
                    "lan_code": "01",
                    "slug": slug,
                    "notebook": "01-mottagande",
                    "title": "01",
                    "key": "k",
                    "summary": {"per_1000": -1.5},
                }
            )
        )
    write_site(tmp_path, {"01": "+Stockholms län"}, "v")
    text = (tmp_path / "sammanstallning.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    # 'Område' starts with the code, so it is text; the name alone and the län are kept as text
    assert rows[1][:4] == [
        '0114 =HYPERLINK("x")',
        '\'=HYPERLINK("x")',
        "kommun",
        "01 +Stockholms län",
    ]
    assert rows[2][:2] == ["0115 @A1", "'@A1"]
    assert "-1,5" in rows[1]
    book = openpyxl.load_workbook(tmp_path / "sammanstallning.xlsx")
    names = [c.value for c in book["Sammanställning"]["B"][1:]]
    assert names == ['\'=HYPERLINK("x")', "'@A1"]
    assert not any(c.data_type == "f" for row in book["Sammanställning"].iter_rows() for c in row)
    for row in rows[1:]:
        assert not any(c[:1] in "=+@" for c in row if c)
