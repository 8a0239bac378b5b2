"""The index and area pages built from what the notebooks recorded: escaping, summary, CSV."""

import io
import json

import openpyxl
from excel_rules import Formula, read

from etablering.run.outfolder import META
from etablering.run.site import write_site


def _meta(out, slug, code, name, notebook, summary, lan="01", kind="kommun"):
    folder = out / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{notebook}.html").write_text("<html></html>")
    (folder / f"{notebook}{META}").write_text(
        json.dumps(
            {
                "code": code,
                "name": name,
                "kind": kind,
                "lan_code": lan,
                "slug": slug,
                "notebook": notebook,
                "title": notebook,
                "key": "k",
                "summary": summary,
            }
        )
    )


def _vasby_reception(out):
    """Report 01 for Upplands Väsby 2022 with figures that round (3,58… per 1 000)."""
    _meta(
        out,
        "0114-u",
        "0114",
        "Upplands Väsby",
        "01-mottagande",
        {"year": 2022, "mottagna_totalt": 84.0, "per_1000": 3.581722617836555},
        lan="01",
    )


def test_names_from_data_are_escaped_and_figures_shown(tmp_path):
    evil = "<script>alert(1)</script>Väsby"
    _meta(
        tmp_path,
        "0114-x",
        "0114",
        evil,
        "01-mottagande",
        {"year": 2018, "kommuntal": 43.0, "per_1000": 3.456},
    )
    write_site(tmp_path, {"01": "Stockholms län"}, "abc123")
    index = (tmp_path / "index.html").read_text()
    assert (
        "<script>alert(1)</script>" not in index
        and "&lt;script&gt;alert(1)&lt;/script&gt;Väsby" in index
    )
    assert '<td data-sort="43.0">43</td>' in index and '<td data-sort="3.456">3,5</td>' in index
    assert "Kommuntal, 2018" in index  # the year in the column heading
    assert "Dataversion abc123" in index
    area = (tmp_path / "0114-x" / "index.html").read_text()
    assert (
        "&lt;script&gt;" in area
        and 'href="01-mottagande.html"' in area
        and 'href="../index.html"' in area
    )


def test_summary_csv_opens_in_swedish_excel_with_codes_intact(tmp_path):
    _vasby_reception(tmp_path)
    _meta(
        tmp_path,
        "0001-s",
        "0001",
        "Stockholms län",
        "03-forsorjningsstod",
        {"cost_mkr": 389.11677958244013, "cost_horizon": "2023–2026"},
        lan="01",
        kind="lan",
    )
    write_site(tmp_path, {"01": "Stockholms län"}, "v")
    rows = read((tmp_path / "sammanstallning.csv").read_bytes())
    header, lan, kommun = (
        rows[0],
        dict(zip(rows[0], rows[1], strict=True)),
        dict(zip(rows[0], rows[2], strict=True)),
    )
    # the area as SCB writes it, so the leading zero survives Excel; a län by its länskod
    assert kommun["Område"] == "0114 Upplands Väsby" and lan["Område"] == "01 Stockholms län"
    assert kommun["Län"] == "01 Stockholms län" and kommun["Typ"] == "kommun"
    # rounded as the site shows, counts whole, each group with its year, and a source
    assert kommun["Kommunmottagna"] == 84 and kommun["Mottagna per 1 000 invånare"] == 3.6
    assert kommun["År, mottagande"] == 2022 and lan["Period, försörjningsstöd"] == "2023–2026"
    assert lan["Beräknat försörjningsstöd (Mkr)"] == 389.1
    assert "Kolada" in kommun["Källa"] and kommun["Kommuntal"] is None
    text = (tmp_path / "sammanstallning.csv").read_bytes().decode("utf-8-sig")
    assert ";84;" in text and "3,6" in text and "84,0" not in text
    assert not any(isinstance(c, Formula) for row in rows for c in row)
    assert header.index("År, mottagande") < header.index("Kommunmottagna")


def test_summary_workbook_keeps_codes_as_text_and_figures_as_numbers(tmp_path):
    _vasby_reception(tmp_path)
    write_site(tmp_path, {"01": "Stockholms län"}, "v")
    book = openpyxl.load_workbook(io.BytesIO((tmp_path / "sammanstallning.xlsx").read_bytes()))
    sheet = book["Sammanställning"]
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert row["Kod"].value == "0114" and row["Kod"].data_type == "s"
    assert row["Kod"].number_format == "@" and row["Länskod"].value == "01"
    assert row["Kommunmottagna"].value == 84 and row["Kommunmottagna"].number_format == "#,##0"
    assert row["Mottagna per 1 000 invånare"].value == 3.6
    assert row["Mottagna per 1 000 invånare"].number_format == "#,##0.0"
    assert row["År, mottagande"].value == "2022" and "Kolada" in row["Källa"].value


def test_demo_figures_never_reach_the_summary(tmp_path):
    _meta(
        tmp_path, "0680-j", "0680", "Jönköping", "02-etablering-demo", {"women_pct": 99.0}, lan="06"
    )
    write_site(tmp_path, {"06": "Jönköpings län"}, "v")
    index = (tmp_path / "index.html").read_text()
    assert "02-etablering-demo.html" in index and "<td>99</td>" not in index


def test_a_figure_no_report_has_is_a_dash_and_missing_data_says_so(tmp_path):
    _meta(
        tmp_path,
        "0006-l",
        "0006",
        "Jönköpings län",
        "03-forsorjningsstod",
        {"cost_mkr": 192.5, "cost_horizon": "2019–2023"},
        lan="06",
        kind="lan",
    )
    _meta(
        tmp_path,
        "0680-j",
        "0680",
        "Jönköping",
        "02-etablering",
        {"women_pct": None, "men_pct": None},
        lan="06",
    )
    write_site(tmp_path, {"06": "Jönköpings län"}, "v")
    index = (tmp_path / "index.html").read_text()
    lan_row = index[index.index("06 Jönköpings län</a>") : index.index("0680 Jönköping</a>")]
    assert lan_row.count('class="missing">–<') == 6 and ">192,5</td>" in lan_row
    assert "0006" not in index.replace("0006-l/", "")  # the län by its länskod, everywhere
    kommun_row = index[index.index("0680 Jönköping</a>") :]
    assert kommun_row.count('class="missing">uppgift saknas<') == 2
    area = (tmp_path / "0006-l" / "index.html").read_text()
    assert "ingen rapport för länet visar talet" in area and "2019–2023" in area
    assert "länskod 06" in area and "0006" not in area.replace("0006-l", "")
    # the län lists its kommuner, the kommun links its län
    assert 'href="../0680-j/index.html">0680 Jönköping</a>' in area
    kommun = (tmp_path / "0680-j" / "index.html").read_text()
    assert 'href="../0006-l/index.html">Jönköpings län</a>' in kommun


def test_women_and_men_with_their_year_for_every_kommun(tmp_path):
    _meta(
        tmp_path,
        "2403-b",
        "2403",
        "Bjurholm",
        "02-etablering",
        {"women_pct": 50.0, "men_pct": 58.0, "outcome_year": "2019–2021"},
        lan="24",
    )
    _meta(
        tmp_path,
        "0680-j",
        "0680",
        "Jönköping",
        "02-etablering",
        {"women_pct": 43.0, "men_pct": 70.0, "outcome_year": "2022"},
        lan="06",
    )
    write_site(tmp_path, {"06": "Jönköpings län", "24": "Västerbottens län"}, "v")
    index = (tmp_path / "index.html").read_text()
    # the kommuner have different years: the heading says so and each figure carries its own
    assert "Kvinnor i arbete/studier (%) (år anges per rad)" in index
    row = index[index.index("0680 Jönköping</a>") :]
    assert '>43 <span class="period">(2022)</span></td>' in row
    assert '>50 <span class="period">(2019–2021)</span></td>' in index
    rows = read((tmp_path / "sammanstallning.csv").read_bytes())
    bjurholm = next(dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[1] == "Bjurholm")
    assert bjurholm["År, arbete/studier"] == "2019–2021"
    assert bjurholm["Kvinnor i arbete/studier (%)"] == 50 and bjurholm["Område"] == "2403 Bjurholm"


def test_search_finds_hyphenated_names_and_lan_names(tmp_path):
    _meta(tmp_path, "0114-u", "0114", "Upplands Väsby", "01-mottagande", {"year": 2022})
    write_site(tmp_path, {"01": "Stockholms län"}, "v")
    index = (tmp_path / "index.html").read_text()
    assert 'data-search="0114 upplands vasby stockholms lan"' in index
    assert '.replace(/[\\s\\-\\u2013_]+/g, " ")' in index  # the page folds hyphens as names.fold


def test_running_header_cannot_break_out_of_its_css_string(tmp_path):
    from etablering.run.site import page

    evil = '"; } </style><script>window.x=1</script> \\'
    out = page("t", "<p>b</p>", "v", running=evil)
    start = out.index("<style>@page")
    style = out[start + len("<style>") : out.index("</style>", start)]
    # the name's quote, brackets and backslash are hex escapes: only the two strings' own quotes
    assert "<" not in style and style.count('"') == 4
    assert "\\000022" in style and "\\00003c" in style and "\\00005c" in style
    assert "<script>window.x=1</script>" not in out
