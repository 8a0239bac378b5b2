"""The `etablering` command as a user types it."""

import re
import subprocess
import sys

import pytest

from etablering.run.cli import main


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("9999", "Ingen kommun har koden 9999"),
        ("Jönkööping", "Menade du 0680 Jönköping"),
        ("114", "Menade du 0114 Upplands Väsby"),
    ],
)
def test_bad_kommun_exits_2_and_renders_nothing(processed, tmp_path, capsys, query, message):
    out = tmp_path / "reports"
    assert main(["report", query, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_one_bad_among_good_renders_nothing(processed, tmp_path, capsys):
    out = tmp_path / "reports"
    assert main(["report", "0680", "Atlantis", "--out", str(out)]) == 2
    assert "Atlantis" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.notebook
def test_report_writes_offline_html_and_index(processed, tmp_path):
    out = tmp_path / "reports"
    proc = subprocess.run(
        [sys.executable, "-m", "etablering.run.cli", "report", "Jönköping", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    html = (out / "0680-jonkoping" / "01-mottagande.html").read_text(encoding="utf-8")
    assert (out / "0680-jonkoping" / "01-mottagande.ipynb").exists()
    assert "Jönköping tog emot <strong>" not in html  # Markdown was rendered, not escaped twice
    # the latest year with data by default, with the change against the year before
    assert "Jönköping tog emot 241 personer 2022</strong>, 78 fler än 2021" in html
    assert "Källa: Kolada (RKA), uttag augusti 2024" in html and "Källa: Migrationsverket" in html
    assert html.count('src="data:image/png;base64,') == 5
    assert not re.search(r'(src|href)="https?://', html), "reports must open offline"
    assert "validate_params" not in html and "from etablering import" not in html  # no code
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="0680-jonkoping/01-mottagande.html"' in index
    assert not list(out.rglob("*.tmp"))


def test_year_without_data_exits_2_before_anything_renders(processed, tmp_path, capsys):
    out = tmp_path / "reports"
    assert main(["report", "0680", "--year", "1990", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Det finns inga uppgifter om mottagandet år 1990" in err
    assert "0680 Jönköping: uppgifter finns för 2005–2022" in err
    assert not out.exists()


def test_year_missing_for_a_named_kommun_stops_and_for_a_lans_kommun_is_left_out(
    processed, registry, tmp_path, capsys
):
    from etablering.run.report_command import check_year, reception_years

    storfors, filipstad = registry.get("1760"), registry.get("1782")
    years = reception_years([storfors, filipstad], registry)
    # with --lan or --all: Storfors (no 2022 value) is left out of 01, the others render
    assert check_year(2022, years) == {storfors: years[storfors]}
    # named by the user: nothing renders, exit 2, the years that exist are named
    out = tmp_path / "reports"
    args = ["report", "1760", "1782", "--year", "2022", "--notebooks", "01-mottagande"]
    assert main([*args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "1760 Storfors: uppgifter finns för 2005–2021" in err and "Filipstad" not in err
    assert "utelämna --year" in err
    assert not out.exists()


def test_default_year_is_each_areas_latest(processed, registry):
    from etablering.run.report_command import check_year, default_year, reception_years

    areas = [registry.get("0680"), registry.get("1760"), registry.get("0017")]
    years = reception_years(areas, registry)
    assert [default_year(years[a]) for a in areas] == [2022, 2021, 2022]
    check_year(None, years)  # every area has data: no error
    check_year(2018, years)


def test_data_status_lists_tables_and_years(processed, capsys):
    assert main(["data", "status"]) == 0
    text = capsys.readouterr().out
    assert "kommuntal: 267 rader" in text and "2018: 267" in text
    assert "population: 1740 rader" in text


def test_import_of_missing_dir_is_a_clear_error(processed, tmp_path, capsys):
    assert main(["data", "import", str(tmp_path / "finns-inte")]) == 1
    assert "finns inte" in capsys.readouterr().err


@pytest.mark.notebook
def test_report_for_a_lan_renders_its_kommuner_and_the_lan_itself(processed, tmp_path):
    out = tmp_path / "reports"
    args = ["report", "--lan", "09", "--notebooks", "01-mottagande", "--jobs", "1"]
    assert main([*args, "--year", "2018", "--out", str(out)]) == 0
    assert (out / "0980-gotland" / "01-mottagande.html").exists()
    html = (out / "0009-gotlands-lan" / "01-mottagande.html").read_text(encoding="utf-8")
    assert "Gotlands län tog emot 271 personer 2018" in html and "Alla län 2018" in html
    assert "Migrationsverkets fil tog Gotlands län emot 274 personer 2018" in html
    index = (out / "index.html").read_text(encoding="utf-8")
    lan_row = index[index.index("09 Gotlands län</a>") : index.index("0980 Gotland</a>")]
    # kommuntal and mottagna på anvisning from the 2018 kommuntal file, kommunmottagna Kolada's
    assert all(f'data-sort="{n}.0">{n}</td>' in lan_row for n in (125, 122, 271))
    assert "Kommunmottagna, 2018" in index  # the year in the heading


def test_several_lan_each_bring_their_kommuner_and_their_own_report(registry):
    from etablering.run.cli import _parser
    from etablering.run.report_command import select_kommuner, select_lans

    args = _parser().parse_args(
        ["report", "0680", "--lan", "09", "--lan", "Blekinge", "--lan", "Gotlands län"]
    )
    assert args.lan == ["09", "Blekinge", "Gotlands län"]
    kommuner = select_kommuner(registry, args.kommuner, args.lan, args.all)
    assert [a.code for a in kommuner] == ["0680", "0980", "1060", "1080", "1081", "1082", "1083"]
    assert [a.name for a in select_lans(registry, args.lan, args.all)] == [
        "Gotlands län",
        "Blekinge län",
    ]
    assert len(select_lans(registry, ["09"], everything=True)) == 21


# --- etablering validate --------------------------------------------------------------------------


def test_validate_prints_the_coverage_table_on_real_data(processed, capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert "anpassad 2015–2020, prövad 2021–2022. Underlag: Kolada (RKA)" in out
    assert re.search(r"Kvinnor alla\s+291\s+279\s+95,9\u00a0%", out), out
    assert re.search(r"Män\s+100 eller fler\s+10\s+10\s+100,0\u00a0%", out), out
    assert "UTANFÖR" not in out


def test_validate_on_the_demo_panel(processed, capsys):
    assert main(["validate", "--demo", "--seed", "2016"]) == 0
    out = capsys.readouterr().out
    assert "SYNTETISKA DATA" in out and "kullar efter befolkning" in out


def test_validate_exits_1_when_a_class_is_outside_its_band(processed, capsys, monkeypatch):
    from etablering.analysis import expected

    monkeypatch.setattr(expected, "coverage_band", lambda n: (0.999, 1.0) if n else (0, 1))
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert "UTANFÖR" in out and "Utanför bandet: kvinnor färre än 30" in out


def test_validate_bad_years_exit_2_without_traceback(processed, capsys):
    assert main(["validate", "--train", "2015", "2021", "--test", "2021", "2022"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fel: Prövningsåren (2021–2022) måste ligga efter")
    assert "Traceback" not in err
    assert main(["validate", "--test", "2030", "2031"]) == 2
    assert "inga kommunår att pröva på 2030–2031" in capsys.readouterr().err
