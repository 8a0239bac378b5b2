"""Running a notebook for one kommun with papermill's Python API and turning the result into a
self-contained HTML page (no code, images embedded, no CDN)."""

import copy
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jupytext
import nbformat
import papermill as pm
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from . import paths, site

NOTEBOOKS = {"01-mottagande": "Mottagande mot kommuntal"}
KERNEL = "python3"


@dataclass
class RenderResult:
    kommun: str
    notebook: str
    ok: bool
    duration: float
    html: Path | None = None
    error: str = ""
    cell: int | None = None


@cache
def _source(notebook: str) -> nbformat.NotebookNode:
    return jupytext.read(paths.notebooks_dir() / f"{notebook}.py")


def _html_body(nb: nbformat.NotebookNode) -> str:
    nb = copy.deepcopy(nb)
    for cell in nb.cells:  # warnings on stderr are for developers, not readers
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
            ]
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    # Cells tagged 'remove-cell' speak to JupyterLab users (e.g. "change the parameters").
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={"remove-cell"}), enabled=True
    )
    body, _ = exporter.from_notebook_node(nb)
    return body


def render(
    area, notebook: str, out_dir: Path, parameters: dict, data_version: str, timeout: int = 600
) -> RenderResult:
    """Execute `notebook` for `area`, write <out>/<kod>-<slug>/<notebook>.{ipynb,html}.

    On failure the earlier good outputs for the kommun stay as they were.
    """
    kommun_dir = Path(out_dir) / area.slug
    kommun_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    executed_path = kommun_dir / f".{notebook}.running.ipynb"
    try:
        executed = pm.execute_notebook(
            copy.deepcopy(_source(notebook)),
            str(executed_path),
            parameters=parameters,
            kernel_name=KERNEL,
            language="python",
            progress_bar=False,
            log_output=False,
            cwd=str(paths.notebooks_dir()),
            execution_timeout=timeout,
        )
    except Exception as exc:  # a cell raised, the kernel died or timed out
        if executed_path.exists():  # keep the failed run for inspection, beside the good one
            executed_path.replace(kommun_dir / f"{notebook}.failed.ipynb")
        if isinstance(exc, pm.PapermillExecutionError):
            error, cell = f"{exc.ename}: {exc.evalue}", exc.cell_index
        else:
            error, cell = f"{type(exc).__name__}: {exc}", None
        return RenderResult(
            area.code, notebook, False, time.perf_counter() - started, error=error, cell=cell
        )
    title = f"{NOTEBOOKS[notebook]} – {area.name}"
    html = site.page(
        title,
        _html_body(executed),
        data_version,
        root="../",
        links=[{"href": "../index.html", "label": "Alla kommuner"}],
    )
    html_path = kommun_dir / f"{notebook}.html"
    executed_path.replace(kommun_dir / f"{notebook}.ipynb")
    site.write_atomic(html_path, html)
    site.record_rendered(kommun_dir, area, notebook, NOTEBOOKS[notebook])
    return RenderResult(area.code, notebook, True, time.perf_counter() - started, html=html_path)
