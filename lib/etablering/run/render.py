"""One notebook for one kommun: papermill execution in a warm kernel, then a self-contained
HTML page (no code, images embedded, no CDN). Outputs appear atomically or not at all."""

import copy
import hashlib
import json
import os
import re
import time
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import jupytext
import nbformat
import papermill as pm

from ..core import files, paths
from ..core.errors import describe_os_error
from ..core.summary import SUMMARY_MIME
from ..reports import texts
from . import kernels, outfolder, page_body, site

NOTEBOOKS = {
    "01-mottagande": "Mottagande mot kommuntal",
    "02-etablering": "Etablering efter kön",
    "03-forsorjningsstod": "Försörjningsstöd efter etableringen",
}
# Reports that also exist for a län (the sum over its kommuner).
LAN_NOTEBOOKS = ("01-mottagande", "02-etablering", "03-forsorjningsstod")
WORK = ".work"  # running notebooks live here, never beside finished reports


@dataclass
class RenderResult:
    kommun: str
    name: str
    notebook: str
    status: str  # ok | failed | skipped
    duration: float
    key: str = ""
    html: str = ""
    error: str = ""
    cell: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@cache
def notebook_source(notebook: str) -> nbformat.NotebookNode:
    return jupytext.read(paths.notebooks_dir() / f"{notebook}.py")


@cache
def parameter_names(notebook: str) -> frozenset[str]:
    """Names assigned in the notebook's `parameters` cell: what the runner may inject."""
    import ast

    cell = next(
        c for c in notebook_source(notebook).cells if "parameters" in c.metadata.get("tags", [])
    )
    return frozenset(
        t.id
        for node in ast.parse(cell.source).body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    )


def notebook_hash(notebook: str) -> str:
    """The notebook's code and its words (notebooks/texts/<notebook>.toml): a changed sentence
    renders the report again."""
    digest = hashlib.sha256((paths.notebooks_dir() / f"{notebook}.py").read_bytes())
    words = texts.texts_dir() / f"{notebook}.toml"
    if words.exists():
        digest.update(words.read_bytes())
    return digest.hexdigest()[:12]


def job_key(notebook: str, parameters: dict, data_version: str) -> str:
    """What decides an output: notebook text, parameters and data. Same key = up to date."""
    blob = json.dumps([notebook_hash(notebook), parameters, data_version], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def summary_of(nb: nbformat.NotebookNode) -> dict:
    """Key figures a notebook published with display.summary(), for the site's summary table."""
    found = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if SUMMARY_MIME in data:
                found.update(data[SUMMARY_MIME])
    return found


EMPTY_REPORT = "Rapporten har inget att visa"
_CONTENT = re.compile(r"""class=["'][^"']*\betablering-(?:table|chart)\b""")


def has_content(nb: nbformat.NotebookNode) -> bool:
    """True when some section shows a table or a chart; a notebook whose every section was
    left out (only headings and missing-data notes) is a failed job, not a rendered report."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            page = output.get("data", {}).get("text/html", "")
            text = "".join(page) if isinstance(page, list) else str(page)
            if _CONTENT.search(text):
                return True
    return False


def _keep_failed(running: Path, target: Path) -> None:
    """The failed run for inspection, if papermill managed to save it whole; never a 0-byte or
    truncated notebook (a full disk)."""
    try:
        if running.exists() and running.stat().st_size > 0:
            json.loads(running.read_text(encoding="utf-8"))
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(running, target)
    except (OSError, ValueError):
        pass
    finally:
        running.unlink(missing_ok=True)


def render(
    area,
    notebook: str,
    out_dir,
    parameters: dict,
    data_version: str,
    timeout: int = 600,
    key: str | None = None,
) -> RenderResult:
    """Execute `notebook` for `area` and write <out>/<kod>-<slug>/<notebook>.{ipynb,html}.

    On failure the earlier good outputs stay as they were and the failed run is kept as
    <notebook>.failed.ipynb for inspection.
    """
    out_dir = Path(out_dir)
    kommun_dir = out_dir / area.slug
    # Demo output gets its own file: synthetic pages never replace (or pass for) real ones.
    stem = f"{notebook}-demo" if parameters.get("demo") else notebook
    title = NOTEBOOKS[notebook] + (" (SYNTETISKA DATA)" if parameters.get("demo") else "")
    work = out_dir / WORK
    work.mkdir(parents=True, exist_ok=True)
    running = work / f"{area.slug}-{stem}.ipynb"
    # the batch passes the key it planned with (its parameters name the data folder, the
    # run reads a pinned snapshot of it)
    key = key or job_key(notebook, parameters, data_version)
    started = time.perf_counter()

    def failed(error: str, cell: int | None = None) -> RenderResult:
        seconds = time.perf_counter() - started
        return RenderResult(
            area.code, area.name, notebook, "failed", seconds, key, error=error, cell=cell
        )

    try:
        executed = pm.execute_notebook(
            copy.deepcopy(notebook_source(notebook)),
            str(running),
            parameters=parameters,
            engine_name=kernels.ENGINE,
            kernel_name=kernels.KERNEL,
            language="python",
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            # one save at the end (and on error) instead of two per cell
            request_save_on_cell_execute=False,
        )
    except Exception as exc:  # a cell raised, the kernel died or a cell timed out
        kernels.discard_kernel()
        _keep_failed(running, kommun_dir / f"{stem}.failed.ipynb")
        if isinstance(exc, pm.PapermillExecutionError):
            error, cell = f"{exc.ename}: {exc.evalue}", exc.cell_index
        elif isinstance(exc, OSError):
            error, cell = f"{type(exc).__name__}: {describe_os_error(exc)}", None
        else:
            error, cell = f"{type(exc).__name__}: {exc}", None
        return failed(error, cell)
    if not has_content(executed):
        # every section was left out for want of data: a page of notices is no report
        _keep_failed(running, kommun_dir / f"{stem}.failed.ipynb")
        return failed(f"{EMPTY_REPORT} för {area.name}: alla avsnitt saknar uppgifter")
    page = site.page(
        f"{title} – {area.name}",
        page_body.body(executed),
        data_version,
        root="../",
        links=[{"href": "../index.html", "label": "Alla kommuner"}],
        running=f"{area.name} ({area.display_code}) – {title}",
    )
    meta = outfolder.meta_text(area, stem, title, key, summary_of(executed), data_version)
    # All three or none (a full disk fails before any is renamed), and a stop signal waits
    # until they are in place; the record comes last, so --resume trusts only a complete page.
    with kernels.signals_deferred():
        files.write_atomic_all(
            {
                kommun_dir / f"{stem}.ipynb": nbformat.writes(executed),
                kommun_dir / f"{stem}.html": page,
                kommun_dir / f"{stem}{outfolder.META}": meta,
            }
        )
        running.unlink(missing_ok=True)
        (kommun_dir / f"{stem}.failed.ipynb").unlink(missing_ok=True)
    return RenderResult(
        area.code,
        area.name,
        notebook,
        "ok",
        time.perf_counter() - started,
        key,
        html=str(kommun_dir / f"{stem}.html"),
    )
