"""Warm kernels: one Jupyter kernel per worker thread, reused from notebook to notebook.

Starting a kernel and importing pandas, matplotlib and statsmodels costs seconds; the analysis of
one kommun costs a fraction of that. Reusing the kernel (namespace reset between notebooks, a
fresh kernel after any failure) is what makes 290 kommuner take minutes. Execution still goes
through papermill's Python API, via the engine registered here.
"""

import atexit
import os
import signal
import subprocess
import threading
from contextlib import contextmanager

from jupyter_client import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from ..core import paths

KERNEL = "python3"
ENGINE = "etablering-warm"
# %reset runs two full garbage collections over everything the kernel holds (pandas,
# matplotlib, the cached tables): about a second per report. After one, what is still alive is
# what every report shares (modules, caches); gc.freeze() moves it out of the collector's way,
# so the next reset only looks at what the last report made. Figures are closed first, so
# they are collected, not frozen.
RESET = (
    "import matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt\n"
    "get_ipython().run_line_magic('reset', '-f')\n"
    "import gc as _gc\n_gc.freeze()\ndel _gc\n"
)
_local = threading.local()
_all: list[AsyncKernelManager] = []


def _start() -> AsyncKernelManager:
    # Async, as nbclient expects: with a blocking client its wait for output would block the
    # loop that notices a dead kernel.
    km = AsyncKernelManager(kernel_name=KERNEL)
    # one thread per kernel: the batch already runs one kernel per core
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    # The kernel process's own log ("running over TCP without encryption") is not for analysts;
    # what cells print reaches the notebook over the messaging channels, not this stderr.
    # No input history: the kernel would write every cell to a SQLite file in the home folder
    # (a few percent of a report's time, and a write where the home may be read-only).
    run_sync(km.start_kernel)(
        cwd=str(paths.notebooks_dir()),
        env=env,
        stderr=subprocess.DEVNULL,
        extra_arguments=["--HistoryManager.enabled=False"],
    )
    _all.append(km)
    return km


def _alive(km: AsyncKernelManager) -> bool:
    return run_sync(km.is_alive)()


def warm_kernel() -> tuple[AsyncKernelManager, object]:
    """This thread's kernel and its connected client, started if missing or dead.

    The client is kept too: a new client waits for the kernel to be ready and flushes its
    output channel (a fixed ~0.2 s) every time it is created.
    """
    km = getattr(_local, "km", None)
    if km is None or not _alive(km):
        discard_kernel()
        km = _start()
        kc = km.client()
        kc.start_channels()
        run_sync(kc.wait_for_ready)(timeout=60)
        kc.allow_stdin = False
        _local.km, _local.kc = km, kc
    # Queued before the notebook's first cell: each notebook starts with an empty namespace.
    _local.kc.execute(RESET, silent=True, store_history=False)
    return _local.km, _local.kc


def discard_kernel() -> None:
    """Shut this thread's kernel down (after a failure, so the next notebook starts clean)."""
    km, kc = getattr(_local, "km", None), getattr(_local, "kc", None)
    _local.km = _local.kc = None
    if kc is not None:
        kc.stop_channels()
    if km is not None:
        try:
            run_sync(km.shutdown_kernel)(now=True)
        except Exception:
            pass
        if km in _all:
            _all.remove(km)


@atexit.register
def _shutdown_all() -> None:
    for km in list(_all):
        try:
            run_sync(km.shutdown_kernel)(now=True)
        except Exception:
            pass


def kill_all_now() -> None:
    """Kill every kernel of this process at once, from a signal handler: no event loop, no
    waiting. Each kernel leads its own process group (jupyter_client starts it in a new
    session), so anything it started dies too; its connection file is removed."""
    for km in list(_all):
        provisioner = getattr(km, "provisioner", None)
        pgid = getattr(provisioner, "pgid", None) or getattr(provisioner, "pid", None)
        if pgid:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except OSError:
                pass
        try:
            km.cleanup_connection_file()
        except Exception:
            pass
    _all.clear()


@contextmanager
def signals_deferred():
    """A stop signal (SIGTERM from the batch after Ctrl-C, SIGINT) waits until the block is
    done: files that belong together are all renamed into place, or none is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    blocked = {signal.SIGTERM, signal.SIGINT}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class WarmKernelEngine(NBClientEngine):
    """papermill's nbclient engine, running in this thread's warm kernel."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        km, kc = warm_kernel()
        client = PapermillNotebookClient(
            nb_man,
            km=km,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client.kc = kc  # reuse the connected client (see warm_kernel)
        return client.execute()


papermill_engines.register(ENGINE, WarmKernelEngine)
