"""`etablering bench`: the batch runner against the naive way, on the same kommuner, in one run.

Naive = what an analyst would script: for each kommun and notebook, the `papermill` CLI, then
`jupyter nbconvert --to html --no-input`. Both write to fresh temporary folders. Timings on a
shared machine are noisy; the ratio measured in one run is what to compare.
"""

import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import jupytext
import nbformat

from ..core import paths
from ..core.errors import EtableringError
from ..data import store
from ..data.registry import Registry
from .batch import INTERRUPTED, plan, run_batch
from .render import NOTEBOOKS


def sample_kommuner(registry: Registry, n: int):
    """Every k-th kommun, so large and small kommuner and several län are in the sample."""
    kommuner = registry.kommuner()
    step = max(1, len(kommuner) // n)
    return kommuner[::step][:n]


def naive(areas, notebooks, work: Path, data_dir: str) -> float:
    bin_dir = Path(sys.executable).parent
    sources = {}
    for nb in notebooks:  # conversion from jupytext once, outside the timing
        sources[nb] = work / f"{nb}.ipynb"
        nbformat.write(jupytext.read(paths.notebooks_dir() / f"{nb}.py"), sources[nb])
    started = time.perf_counter()
    for area in areas:
        for nb in notebooks:
            out = work / f"{area.code}-{nb}.ipynb"
            subprocess.run(
                [
                    str(bin_dir / "papermill"),
                    str(sources[nb]),
                    str(out),
                    "-k",
                    "python3",
                    "-r",
                    "kommun",
                    area.code,
                    "-r",
                    "data_dir",
                    data_dir,
                    "--no-progress-bar",
                ],
                check=True,
                capture_output=True,
                cwd=paths.notebooks_dir(),
            )
            subprocess.run(
                [str(bin_dir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)],
                check=True,
                capture_output=True,
            )
    return time.perf_counter() - started


class PeakMemory:
    """The largest total resident memory of this process and everything it started (workers
    and their kernels), sampled every `interval` seconds while the block runs."""

    def __init__(self, interval: float = 0.1):
        self.interval = interval
        self.peak_bytes = 0
        self._stop = threading.Event()

    def _total(self, root) -> int:
        import psutil

        total = 0
        for proc in [root, *root.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        return total

    def _sample(self) -> None:
        import psutil

        root = psutil.Process(os.getpid())
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self._total(root))
            self._stop.wait(self.interval)

    @contextmanager
    def measuring(self):
        try:
            import psutil  # noqa: F401  (installed with ipykernel)
        except ImportError:  # without it: the largest single process that has ended
            yield self
            self.peak_bytes = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
            return
        thread = threading.Thread(target=self._sample, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()


def runner(areas, notebooks, work: Path, data_dir: str, jobs: int) -> float:
    version = store.data_version()
    started = time.perf_counter()
    manifest = run_batch(
        plan(areas, notebooks, {"data_dir": data_dir}, version),
        work,
        version,
        workers=jobs,
        progress=False,
        data_dir=data_dir,  # one pinned data version, as `etablering report`
    )
    elapsed = time.perf_counter() - started
    if manifest.get("status") == INTERRUPTED:
        raise KeyboardInterrupt  # Ctrl-C: the temporary folders go, the command ends with 130
    failed = [r for r in manifest["results"] if r["status"] != "ok"]
    if failed:
        raise EtableringError(
            f"{len(failed)} rapporter misslyckades i mätningen: {failed[0]['error']}"
        )
    return elapsed


def run_bench(n: int = 6, jobs: int = 2, notebooks=None, log=print) -> dict:
    registry = Registry.load()
    notebooks = notebooks or list(NOTEBOOKS)
    areas = sample_kommuner(registry, n)
    data_dir = str(paths.processed_dir())
    count = len(areas) * len(notebooks)
    log(
        f"Urval: {len(areas)} kommuner × {len(notebooks)} rapporter = {count} rapporter "
        f"({', '.join(a.name for a in areas)})"
    )
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        t_naive = naive(areas, notebooks, Path(a), data_dir)
        log(
            f"Naivt (papermill-CLI + nbconvert-CLI, en i taget): {t_naive:.1f} s "
            f"({t_naive / count:.2f} s/rapport)"
        )
        with PeakMemory().measuring() as memory:
            t_runner = runner(areas, notebooks, Path(b), data_dir, jobs)
        log(f"etablering report --jobs {jobs}: {t_runner:.1f} s ({t_runner / count:.2f} s/rapport)")
    ratio = t_naive / t_runner
    peak_mb = memory.peak_bytes / 2**20
    log(f"Kvot: {ratio:.1f} gånger snabbare.")
    log(
        f"Största minnesanvändning för körverktyget (alla dess processer och kärnor "
        f"tillsammans): {peak_mb:.0f} MB."
    )
    log(
        f"Uppskattat för alla 290 kommuner × {len(notebooks)} rapporter: naivt "
        f"{t_naive / count * 290 * len(notebooks) / 60:.0f} min, med körverktyget "
        f"{t_runner / count * 290 * len(notebooks) / 60:.0f} min – en övre gräns, eftersom uppstarten (processer, kärnor) här räknas in i varje rapport."
    )
    return {
        "naive_s": t_naive,
        "runner_s": t_runner,
        "ratio": ratio,
        "reports": count,
        "peak_mb": peak_mb,
    }
