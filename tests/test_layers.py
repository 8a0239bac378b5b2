"""Imports follow the data flow (docs/architecture.md): each folder of the package imports only
from the folders below it, and the batch runner loads nothing of the notebook side."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lib" / "etablering"
NOTEBOOKS = ROOT / "notebooks"

# folder -> the package's folders it may import from (besides itself). The package's own
# __init__ (only __version__) counts as "core": everything may read the version.
ALLOWED = {
    "core": set(),
    "data": {"core"},
    "analysis": {"data", "core"},
    "present": {"core"},
    "reports": {"analysis", "data", "present", "core"},
    "run": {"reports", "analysis", "data", "present", "core"},
    # a notebook is a report's page: it may use everything but the runner that executes it
    "notebooks": {"reports", "present", "analysis", "data", "core"},
}


def layer_of(module: str) -> str:
    """'etablering.data.parse.ddf' -> 'data'; 'etablering' itself -> 'core'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "core"


def imported_modules(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """Every etablering module `source` imports (line, dotted name), relative imports resolved
    against `module`, including imports inside functions."""
    found = []
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            # `from . import store` names a module: check the module, not only the package
            found += [(node.lineno, f"{name}.{a.name}") for a in node.names] or [
                (node.lineno, name)
            ]
    return [(line, name) for line, name in found if name.split(".")[0] == "etablering"]


def violations(source: str, module: str, layer: str, is_package: bool = False) -> list[str]:
    out = []
    for line, name in imported_modules(source, module, is_package):
        target = layer_of(name)
        # `from .. import __version__` resolves to 'etablering.__version__': the root
        if name == "etablering.__version__":
            target = "core"
        if target != layer and target not in ALLOWED[layer]:
            out.append(f"{module}:{line} ({layer}) imports {name} ({target})")
    return out


def package_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        yield path, ".".join(parts), is_package


def test_every_package_module_imports_along_the_flow():
    problems = []
    for path, module, is_package in package_modules():
        if module == "etablering":
            continue
        layer = layer_of(module)
        assert layer in ALLOWED, f"{path}: a folder the layer rules do not know"
        problems += violations(path.read_text(encoding="utf-8"), module, layer, is_package)
    assert not problems, "\n".join(problems)


def test_notebooks_import_along_the_flow():
    problems = []
    notebooks = sorted(NOTEBOOKS.glob("*.py"))
    assert len(notebooks) >= 4
    for path in notebooks:
        problems += violations(path.read_text(encoding="utf-8"), "notebook", "notebooks")
    assert not problems, "\n".join(problems)


def test_nothing_but_run_imports_run():
    for path, module, is_package in package_modules():
        if layer_of(module) == "run":
            continue
        names = imported_modules(path.read_text(encoding="utf-8"), module, is_package)
        assert not [n for _, n in names if layer_of(n) == "run"], module


# data's command modules: the network (Kolada), the import, the demo writer, the status
# listing. A report or an analysis reads the store; only `run/` starts these.
DATA_COMMANDS = {"fetch", "kolada", "importer", "demo_data", "status"}


def test_only_run_starts_the_data_commands():
    problems = []
    for path, module, is_package in package_modules():
        if layer_of(module) in ("data", "run"):
            continue
        for line, name in imported_modules(path.read_text(encoding="utf-8"), module, is_package):
            parts = name.split(".")
            if parts[1:2] == ["data"] and set(parts[2:3]) & DATA_COMMANDS:
                problems.append(f"{module}:{line} imports {name}")
    for path in sorted(NOTEBOOKS.glob("*.py")):
        for line, name in imported_modules(path.read_text(encoding="utf-8"), "notebook"):
            if set(name.split(".")[2:3]) & DATA_COMMANDS:
                problems.append(f"{path.name}:{line} imports {name}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "module", "layer", "bad"),
    [
        ("from ..run import cli\n", "etablering.data.store", "data", True),
        ("from ...present.plots import x\n", "etablering.analysis.kefu.model", "analysis", True),
        ("def f():\n    from etablering.reports import cost\n", "etablering.core.x", "core", True),
        ("from . import display\n", "etablering.present", "present", False),
        ("from .. import analysis\n", "etablering.data.fetch", "data", True),
        ("from ..core import paths\n", "etablering.data.store", "data", False),
        ("from .. import __version__\n", "etablering.run.site", "run", False),
        ("import etablering.run.cli\n", "notebook", "notebooks", True),
        ("from etablering.reports import reception\n", "notebook", "notebooks", False),
    ],
)
def test_the_rule_sees_a_wrong_import(source, module, layer, bad):
    """The checker itself can fail: an import against the flow in a made-up module is found,
    in whatever form it is written (relative, absolute, inside a function)."""
    is_package = module == "etablering.present"
    assert bool(violations(source, module, layer, is_package)) is bad


def test_the_batch_runner_loads_no_plotting_or_ipython():
    """The runner's process forks workers and renders many notebooks: pyplot, seaborn and
    IPython belong in the kernels, not in the parent (they cost seconds and memory)."""
    code = (
        "import sys, etablering.run.cli, etablering.run.batch, etablering.run.report_command\n"
        "print(sorted(m for m in ('matplotlib.pyplot', 'seaborn', 'IPython') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
