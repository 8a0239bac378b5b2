"""01-mottagande run through papermill, as the report runner and analysts run it."""

import json
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import papermill as pm
import pytest

from etablering.core import paths

pytestmark = pytest.mark.notebook
NOTEBOOK = paths.notebooks_dir() / "01-mottagande.py"
CELL_TIMEOUT = 300  # a hung cell fails its test instead of stalling the whole run


@pytest.fixture(scope="module")
def ipynb(tmp_path_factory) -> Path:
    return _as_ipynb("01-mottagande", tmp_path_factory.mktemp("nb"))


def _as_ipynb(name: str, folder: Path) -> Path:
    """The jupytext source as the .ipynb papermill's CLI needs."""
    path = folder / f"{name}.ipynb"
    nbformat.write(jupytext.read(paths.notebooks_dir() / f"{name}.py"), path)
    return path


def _papermill_cli(ipynb: Path, out: Path, processed, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(ipynb),
            str(out),
            "-k",
            "python3",
            "--execution-timeout",
            str(CELL_TIMEOUT),
            "-p",
            "data_dir",
            str(processed),
            *args,
        ],
        capture_output=True,
        text=True,
    )


def _outputs(nb) -> str:
    chunks = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            chunks.append(json.dumps(out.get("data", {}), ensure_ascii=False))
            chunks.append(out.get("text", "") if isinstance(out.get("text"), str) else "")
            chunks.append(out.get("evalue", ""))
    return "\n".join(chunks)


def _run(ipynb, tmp_path, processed, **params):
    return pm.execute_notebook(
        str(ipynb),
        str(tmp_path / "out.ipynb"),
        kernel_name="python3",
        parameters={"data_dir": str(processed), **params},
        progress_bar=False,
        execution_timeout=CELL_TIMEOUT,
    )


def _images(text: str) -> int:
    return text.count("data:image/png;base64")


@pytest.mark.parametrize(
    ("kommun", "expected", "images"),
    [
        ("0680", "Jönköping tog emot 241 personer 2022**, 78 fler än 2021 (+48\u00a0%)", 5),
        ("2403", "Bjurholm tog emot 9 personer 2022**, 10 färre än 2021 (\u221253\u00a0%)", 5),
        ("06", "Jönköpings län tog emot 489 personer 2022**, 40 fler än 2021 (+9\u00a0%)", 6),
    ],
    ids=["jonkoping", "bjurholm", "lan-06"],
)
def test_renders_the_latest_year_by_default(ipynb, tmp_path, processed, kommun, expected, images):
    text = _outputs(_run(ipynb, tmp_path, processed, kommun=kommun))
    assert expected in text
    assert "Källa: Kolada (RKA), uttag augusti 2024: N01986, N01987, N02002" in text
    assert "Källa: Migrationsverket: Anvisningar enligt kommuntalen 2018" in text
    assert "Kommuntalet för 2022 saknas i underlaget" in text
    assert "Kommunmottagna – Kolada N01986" in text  # the two sources side by side
    assert _images(text) == images
    assert "Traceback" not in text


def test_lan_report_compares_every_lan(ipynb, tmp_path, processed):
    text = _outputs(_run(ipynb, tmp_path, processed, kommun="06", year=2018))
    assert "Jönköpings län tog emot 1\u00a0799 personer 2018" in text
    assert "Alla län 2018" in text and "Länet, riket och länets kommuner 2018" in text
    assert (
        "Migrationsverkets fil ger Jönköpings län 1\u00a0807 och Kolada (N01986) 1\u00a0799" in text
    )
    assert "finns inte i underlaget" not in text  # 2018 has the kommuntal file


def test_not_listed_kommun_is_reported_as_missing(ipynb, tmp_path, processed):
    text = _outputs(_run(ipynb, tmp_path, processed, kommun="0181", year=2018))
    assert "finns inte med i Migrationsverkets kommuntalsfil för 2018" in text
    assert "ej listad i kommuntalsfilen" in text


def test_int_kommun_stops_in_validation_cell(ipynb, tmp_path, processed):
    with pytest.raises(pm.PapermillExecutionError) as exc:
        _run(ipynb, tmp_path, processed, kommun=114, year=2018)
    assert exc.value.ename == "ParameterError"
    assert "0114 Upplands Väsby" in exc.value.evalue


def test_year_without_data_stops_before_any_heading(ipynb, tmp_path, processed):
    with pytest.raises(pm.PapermillExecutionError) as exc:
        _run(ipynb, tmp_path, processed, kommun="0680", year=1990)
    assert exc.value.ename == "ParameterError"
    assert "inga uppgifter om mottagande för Jönköping 1990" in exc.value.evalue
    assert "Uppgifter finns för 2005–2022" in exc.value.evalue
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert "Mottagande av nyanlända" not in _outputs(nb)  # nothing shown, no empty heading


@pytest.mark.parametrize(
    "args",
    [["-p", "kommun", "0114"], ["-y", "kommun: 0114"]],
    ids=["papermill-int-114", "yaml-octal-76"],
)
def test_papermill_cli_leading_zero_traps_never_give_another_kommun(
    ipynb, tmp_path, processed, args
):
    out = tmp_path / "out.ipynb"
    proc = _papermill_cli(ipynb, out, processed, *args)
    assert proc.returncode != 0
    evalue = _outputs(nbformat.read(out, as_version=4))
    assert "ParameterError" in proc.stderr + evalue or "Ogiltiga parametrar" in evalue
    assert "0114 Upplands Väsby" in evalue
    # and no analysis of any kommun was shown
    assert "tog emot" not in evalue


def test_raw_parameter_keeps_leading_zero(ipynb, tmp_path, processed):
    out = tmp_path / "out.ipynb"
    assert _papermill_cli(ipynb, out, processed, "-r", "kommun", "0114").returncode == 0
    assert "Upplands Väsby tog emot" in _outputs(nbformat.read(out, as_version=4))


def test_papermill_injects_an_int_year(ipynb, tmp_path, processed):
    out = tmp_path / "out.ipynb"
    proc = _papermill_cli(ipynb, out, processed, "-p", "year", "2018")
    assert proc.returncode == 0, proc.stderr
    text = _outputs(nbformat.read(out, as_version=4))
    assert "Jönköping tog emot 493 personer 2018**, 204 färre än 2017" in text
    assert "Enligt Migrationsverkets fil tog Jönköping emot 494 personer 2018" in text


def test_01_a_newer_kolada_fetch_wins_and_is_named(ipynb, tmp_path, processed):
    import shutil

    import pandas as pd

    from etablering.data import store

    data = tmp_path / "processed"
    shutil.copytree(processed, data)
    fetched = pd.DataFrame(
        [
            {
                "kpi": "N01986",
                "area_code": "0680",
                "year": 2022,
                "gender": "T",
                "value": 250.0,
                "count": float("nan"),
                "status": "",
                "origin": "kolada_api",
                "retrieved": "2026-11-20T10:00:00",
                "source_file": "",
            }
        ]
    )
    kv = pd.concat([store.read_table("kpi_values", data), fetched], ignore_index=True)
    store.write_table("kpi_values", kv, [], data)
    text = _outputs(_run(ipynb, tmp_path, data, kommun="0680"))
    assert "Jönköping tog emot 250 personer 2022**, 87 fler än 2021" in text
    assert "Kolada (RKA), hämtat 20 november 2026" in text


@pytest.fixture(scope="module")
def ipynb_02(tmp_path_factory) -> Path:
    return _as_ipynb("02-etablering", tmp_path_factory.mktemp("nb"))


def test_02_lulea_real_series(ipynb_02, tmp_path, processed):
    text = _outputs(_run(ipynb_02, tmp_path, processed, kommun="2580"))
    assert "Etablering efter kön – Luleå" in text
    # Kolada 2018: 14 of 49 women and 78 of 118 men; the gap is what the shares shown give
    assert "29\u00a0% (18–42)" in text and "66\u00a0% (57–74)" in text
    assert "\u221237" in text and "\u221250,9 till \u221221,1" in text
    assert "etablering data fetch --group etablering" in text
    assert "påhittade demodata" not in text and "SYNTETISKA DATA (demo" not in text
    assert text.count("data:image/png;base64") >= 8


def test_02_jonkoping_real_outcomes_expected_value_and_koladas_model(ipynb_02, tmp_path, processed):
    text = _outputs(_run(ipynb_02, tmp_path, processed, kommun="0680"))
    # Kolada N00973/N00964 2022: 33 of 77 women and 64 of 92 men
    assert "i Jönköping 2022 var 43\u00a0% av kvinnorna och 70\u00a0% av männen" in text
    assert "33 av 77 kvinnor och 64 av 92 män" in text
    assert "Kolada (RKA), uttag augusti 2024" in text
    assert "status efter 90 dagar" in text and "inom 90 dagar" not in text
    assert "i nivå med" not in text and "kullstorlek" not in text
    assert "väntades" in text and "vanligt spann" in text and "plats" in text
    # Kolada's own expected value for refugees' employment, named as Kolada's model
    assert "N00485" in text and "N00486" in text and "inte rapportens egen modell" in text
    assert "2022 förvärvsarbetade 73,6\u00a0% i Jönköping mot förväntat 70,5\u00a0%" in text
    # statistics folded away, the coverage cited in the method note
    assert "<details" in text and "Oddskvoter, p-värden och trendmodell" in text
    assert "anpassad på 2015–2020 och prövad på 2021–2022" in text
    assert "t-fördelningen" in text


def test_02_bjurholm_pools_small_years(ipynb_02, tmp_path, processed):
    text = _outputs(_run(ipynb_02, tmp_path, processed, kommun="2403"))
    assert "i Bjurholm åren 2019–2021 sammantaget var 50\u00a0% av kvinnorna" in text
    assert "2021 lämnade bara 4 kvinnor och 4 män" in text


def test_02_lan_renders_from_its_kommuner(ipynb_02, tmp_path, processed):
    text = _outputs(_run(ipynb_02, tmp_path, processed, kommun="06"))
    assert "Etablering efter kön – Jönköpings län" in text
    assert "i Jönköpings län (summan av länets kommuner) 2022 var 29\u00a0% av kvinnorna" in text
    assert "länets siffror är summan av dess 13 kommuner" in text
    assert "Kolada har inget länsvärde för N00485 och N00486" in text
    assert "Tranås" in text and "Aneby" in text


def test_02_kommun_without_data_renders_notices(ipynb_02, tmp_path, processed):
    import shutil

    from etablering.data import store

    data = tmp_path / "processed"
    shutil.copytree(processed, data)
    kv = store.read_table("kpi_values", data)
    gone = (kv["area_code"] == "0680") & kv["kpi"].str.startswith("N009")
    store.write_table("kpi_values", kv[~gone], [{"path": "utan Jönköpings N009xx"}], data)
    text = _outputs(_run(ipynb_02, tmp_path, data, kommun="0680"))
    assert "Det finns inga uppgifter" in text
    assert "Som referens visas riket" in text
    assert "<code>etablering data fetch --group etablering</code>" in text  # notices show code


@pytest.fixture(scope="module")
def ipynb_03(tmp_path_factory) -> Path:
    return _as_ipynb("03-forsorjningsstod", tmp_path_factory.mktemp("nb"))


def test_03_jonkoping_projection(ipynb_03, tmp_path, processed):
    text = _outputs(_run(ipynb_03, tmp_path, processed, kommun="0680", n_draws=200))
    assert "Prognos 2023–2026:" in text and "Utfall 2016–2022:" in text
    assert "KEFU:s avgränsning" in text
    assert "N00960" in text and "Källa: egen kohortmodell" in text
    assert "spann givet antagandena" in text and "kan vänta sig" not in text
    assert text.count("data:image/png;base64") == 4  # cost, scenarios, tornado, people
    # the yearly table and each chart's data
    assert text.count("data:text/csv;base64") == 5


def test_03_lan_total(ipynb_03, tmp_path, processed):
    text = _outputs(_run(ipynb_03, tmp_path, processed, kommun="Skåne", n_draws=0))
    assert "etableringen i Skåne län" in text and "summan över länets 33 kommuner" in text


def test_03_unknown_scenario_stops_with_the_parameter_named(ipynb_03, tmp_path, processed):
    with pytest.raises(pm.PapermillExecutionError) as exc:
        _run(ipynb_03, tmp_path, processed, kommun="0680", scenario="snabbspår")
    assert "parametern scenario" in exc.value.evalue


def test_00_utforska_runs_with_defaults(tmp_path, processed):
    path = _as_ipynb("00-utforska", tmp_path)
    text = _outputs(_run(path, tmp_path, processed))
    assert "Kommunmottagna per 1 000 invånare" in text and "Jönköping" in text
    assert "data:image/png;base64" in text
