"""The index and area pages built from what the notebooks recorded: escaping, summary, CSV."""

import json

from etablering.site import META, write_site


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
    assert "<td>43</td>" in index and "<td>3,5</td>" in index
    assert "Dataversion abc123" in index
    area = (tmp_path / "0114-x" / "index.html").read_text()
    assert (
        "&lt;script&gt;" in area
        and 'href="01-mottagande.html"' in area
        and 'href="../index.html"' in area
    )


def test_summary_csv_for_swedish_excel_and_missing_left_empty(tmp_path):
    _meta(
        tmp_path,
        "0680-j",
        "0680",
        "Jönköping",
        "01-mottagande",
        {"kommuntal": 199.0, "per_1000": 3.468},
        lan="06",
    )
    write_site(tmp_path, {"06": "Jönköpings län"}, "v")
    csv = (tmp_path / "sammanstallning.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert csv[0].startswith("Kod;Namn;Län;Kommuntal")
    assert csv[1].startswith("0680;Jönköping;Jönköpings län;199,0;;;3,468;")


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
    lan_row = index[index.index("0006 Jönköpings län") : index.index("0680 Jönköping")]
    assert lan_row.count('class="missing">–<') == 7 and "<td>192,5</td>" in lan_row
    kommun_row = index[index.index("0680 Jönköping") :]
    assert kommun_row.count('class="missing">uppgift saknas<') == 2
    area = (tmp_path / "0006-l" / "index.html").read_text()
    assert "ingen rapport för länet visar talet" in area and "2019–2023" in area


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
    row = index[index.index("0680 Jönköping") :]
    assert "<td>43</td><td>70</td><td>2022</td>" in row.replace("\n", "").replace(" ", "")
    assert "<td>2019–2021</td>" in index
    assert "Arbete/studier avser år" in index
    csv = (tmp_path / "sammanstallning.csv").read_bytes().decode("utf-8-sig")
    assert "Bjurholm;Västerbottens län;;;;;50,0;58,0;2019–2021;" in csv
