"""01-mottagande run through papermill, as the report runner and analysts run it."""

import json
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import papermill as pm
import pytest

from etablering import paths

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


def test_exactly_one_parameters_cell_of_literals():
    nb = jupytext.read(NOTEBOOK)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for line in tagged[0].source.splitlines():
        name, _, value = line.partition(" = ")
        assert name.isidentifier() and (value[0] in "\"'" or value.isdigit()), line


@pytest.mark.parametrize(
    ("kommun", "expected"),
    [
        ("0680", "Jönköping tog emot 494 personer 2018"),
        ("2580", "Luleå tog emot"),
    ],
)
def test_runs_for_kommuner_with_real_figures(ipynb, tmp_path, processed, kommun, expected):
    text = _outputs(_run(ipynb, tmp_path, processed, kommun=kommun, year=2018))
    assert expected in text
    assert "Källa: Migrationsverket" in text
    assert text.count("data:image/png;base64") == 3


def test_not_listed_kommun_is_reported_as_missing(ipynb, tmp_path, processed):
    text = _outputs(_run(ipynb, tmp_path, processed, kommun="0181", year=2018))
    assert "finns inte med i Migrationsverkets kommuntalsfil" in text
    assert "ej listad i kommuntalsfilen" in text


def test_int_kommun_stops_in_validation_cell(ipynb, tmp_path, processed):
    with pytest.raises(pm.PapermillExecutionError) as exc:
        _run(ipynb, tmp_path, processed, kommun=114, year=2018)
    assert exc.value.ename == "ParameterError"
    assert "0114 Upplands Väsby" in exc.value.evalue


def test_year_without_data_renders_a_notice(ipynb, tmp_path, processed):
    text = _outputs(_run(ipynb, tmp_path, processed, kommun="0680", year=2016))
    assert "Uppgift saknas" in text and "2016" in text and "etablering data import" in text
    assert "Kommunkod 0680, Jönköpings län. Dataversion" in text  # still says what and which data


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


@pytest.fixture(scope="module")
def ipynb_02(tmp_path_factory) -> Path:
    return _as_ipynb("02-etablering", tmp_path_factory.mktemp("nb"))


def test_02_lulea_real_series(ipynb_02, tmp_path, processed):
    text = _outputs(_run(ipynb_02, tmp_path, processed, kommun="2580"))
    assert "Etablering efter kön – Luleå" in text
    assert "29\u00a0%" in text and "66\u00a0%" in text
    assert "etablering data fetch --group etablering" in text
    assert "påhittade demodata" not in text and "SYNTETISKA DATA (demo" not in text
    assert text.count("data:image/png;base64") >= 3  # over time, gap, comparison


def test_02_jonkoping_real_outcomes_from_kolada(ipynb_02, tmp_path, processed):
    text = _outputs(_run(ipynb_02, tmp_path, processed, kommun="0680"))
    # Kolada N00973/N00964 2022: 33 of 77 women and 64 of 92 men
    assert "2022 gick 43\u00a0% av kvinnorna och 70\u00a0% av männen" in text
    assert "Med 77 kvinnor och 92 män som lämnade" in text
    assert "Kolada (RKA), uttag augusti 2024" in text


def test_02_kommun_without_data_renders_notices(ipynb_02, tmp_path, processed):
    import shutil

    from etablering import store

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
    assert text.count("data:text/csv;base64") == 1


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


def test_01_shows_the_kolada_series_once_fetched(ipynb, tmp_path, processed, kolada_rows):
    import shutil

    import pandas as pd

    from etablering import store

    data = tmp_path / "processed"
    shutil.copytree(processed, data)
    rows = kolada_rows(
        ("N01986", "0680", 2019, 300.0),
        ("N01986", "0680", 2020, 150.0),
        ("N01987", "0680", 2019, 120.0),
    )
    store.write_table(
        "kpi_values", pd.concat([store.read_table("kpi_values", data), rows]), [], data
    )
    nb = pm.execute_notebook(
        str(ipynb),
        str(tmp_path / "out.ipynb"),
        kernel_name="python3",
        parameters={"data_dir": str(data), "kommun": "0680", "year": 2018},
        progress_bar=False,
        execution_timeout=CELL_TIMEOUT,
    )
    text = _outputs(nb)
    assert "Jönköping: kommunmottagna per år" in text and "N01986" in text
    assert text.count("data:image/png;base64") == 4
