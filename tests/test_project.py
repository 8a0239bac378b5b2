"""The project's own files agree with each other (one dependency list, working entry points)."""

import ast
import hashlib
import re
import subprocess
import tomllib

import jupytext
import pytest
import yaml

from etablering.core import paths

ROOT = paths.PROJECT_ROOT


def test_environment_yml_installs_from_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    minimum = pyproject["project"]["requires-python"].removeprefix(">=")
    assert tuple(map(int, python.split("=")[1].split("."))) >= tuple(map(int, minimum.split(".")))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    # conda users get exactly the pyproject dependencies, nothing listed twice
    assert pip == ["-e .[dev]"]
    assert "dev" in pyproject["project"]["optional-dependencies"]


def test_console_script_points_at_the_cli():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["etablering"] == "etablering.run.cli:main"


def test_gitignore_keeps_lib_and_the_snapshot_and_drops_derived_data_and_reports():
    lines = (ROOT / ".gitignore").read_text().splitlines()
    assert "lib/" not in lines and "lib" not in lines
    assert "data/raw/" not in lines  # the offline snapshot is committed
    assert {"data/processed/", "data/cache/", "/reports/", ".venv/"} <= set(lines)
    # only the output folder: the package's own reports/ must stay in git
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "lib/etablering/reports/base.py"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 1


def test_the_snapshot_is_committed_byte_for_byte_and_documented():
    """Every file under data/raw is named in data/README.md with its sha256, and git keeps
    its bytes as they are (no end-of-line conversion of the CRLF files)."""
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert "data/raw/** -text" in (ROOT / ".gitattributes").read_text()
    for path in sorted((ROOT / "data" / "raw").rglob("*")):
        if path.is_file():
            rel = path.relative_to(ROOT / "data" / "raw").as_posix()
            assert rel in readme, rel
            assert hashlib.sha256(path.read_bytes()).hexdigest() in readme, rel


def test_readme_commands_exist_in_makefile():
    readme = (ROOT / "README.md").read_text()
    targets = set(re.findall(r"^([a-z]+):", (ROOT / "Makefile").read_text(), re.M))
    for command in re.findall(r"^make (\w+)", readme, re.M):
        assert command in targets, command
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def literal_parameters(source: str) -> dict:
    """The parameters cell as {name: value}; AssertionError when a statement is anything but
    `name = <literal>` (papermill replaces the cell by name, and `etablering report` reads the
    defaults without running code)."""
    values = {}
    for node in ast.parse(source).body:
        assert isinstance(node, ast.Assign), f"line {node.lineno}: not an assignment"
        assert len(node.targets) == 1 and isinstance(node.targets[0], ast.Name), (
            f"line {node.lineno}: assign one name"
        )
        try:
            values[node.targets[0].id] = ast.literal_eval(node.value)
        except ValueError:
            raise AssertionError(
                f"line {node.lineno}: {ast.unparse(node.value)} is no literal"
            ) from None
    return values


def test_every_notebook_has_one_parameters_cell_of_literals():
    notebooks = sorted((ROOT / "notebooks").glob("*.py"))
    assert [nb.name[:2] for nb in notebooks] == ["00", "01", "02", "03"]
    for nb in notebooks:
        cells = jupytext.read(nb).cells
        tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, nb.name
        values = literal_parameters(tagged[0].source)
        assert values.get("data_dir") == "", nb.name  # every notebook takes the data folder
    params_01 = literal_parameters(
        next(
            c.source
            for c in jupytext.read(ROOT / "notebooks" / "01-mottagande.py").cells
            if "parameters" in c.metadata.get("tags", [])
        )
    )
    assert params_01["year"] is None  # None: the latest year with data


@pytest.mark.parametrize(
    ("source", "ok"),
    [
        ('kommun = "0680"\nyear = None\ndemo = False\noverrides = {}\nareas = []\nn = 1.5', True),
        ("seed = -1\nlan = '06'\nflags = {'a': [1, 2]}", True),
        ('kommun = "0" + "680"', False),
        ("year = max(2018, 2019)", False),
        ("a, b = 1, 2", False),
        ("import os", False),
        ("x = y = 1", False),
    ],
)
def test_the_literal_check_can_fail(source, ok):
    if ok:
        literal_parameters(source)
    else:
        with pytest.raises(AssertionError):
            literal_parameters(source)


def test_the_lock_pins_every_dependency_within_pyprojects_ranges():
    """requirements.lock (make lock) holds an exact version of every dependency pyproject.toml
    names, inside its range: the install uses the versions the tests passed with."""
    from packaging.requirements import Requirement

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = [*pyproject["project"]["dependencies"]]
    for extra in pyproject["project"]["optional-dependencies"].values():
        wanted += extra
    pinned = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if match:
            pinned.setdefault(match.group(1).lower().replace("_", "-"), set()).add(match.group(2))
    for spec in map(Requirement, wanted):
        versions = pinned.get(spec.name.lower().replace("_", "-"))
        assert versions, f"{spec.name} is not in requirements.lock: run make lock"
        assert all(spec.specifier.contains(v) for v in versions), (spec, versions)
