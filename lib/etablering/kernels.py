"""Warm kernels: one Jupyter kernel per worker thread, reused from notebook to notebook.

Starting a kernel and importing pandas, matplotlib and statsmodels costs seconds; the analysis of
one kommun costs a fraction of that. Reusing the kernel (namespace reset between notebooks, a
fresh kernel after any failure) is what makes 290 kommuner take minutes. Execution still goes
through papermill's Python API, via the engine registered here.
"""

import atexit
import os
import subprocess
import threading

from jupyter_client import AsyncKernelManager, BlockingKernelClient
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from . import paths

KERNEL = "python3"
ENGINE = "etablering-warm"
RESET = (
    "get_ipython().run_line_magic('reset', '-f')\n"
    "import matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt\n"
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
    run_sync(km.start_kernel)(cwd=str(paths.notebooks_dir()), env=env, stderr=subprocess.DEVNULL)
    _all.append(km)
    return km


def _alive(km: AsyncKernelManager) -> bool:
    return run_sync(km.is_alive)()


def warm_kernel() -> AsyncKernelManager:
    """This thread's kernel with an empty namespace, started if missing or dead."""
    km = getattr(_local, "km", None)
    if km is not None and _alive(km):
        client = BlockingKernelClient()
        client.load_connection_info(km.get_connection_info())
        client.start_channels()
        try:
            client.wait_for_ready(timeout=30)
            reply = client.execute_interactive(RESET, timeout=30)
            if reply["content"]["status"] == "ok":
                return km
        except Exception:
            pass
        finally:
            client.stop_channels()
    discard_kernel()
    _local.km = _start()
    return _local.km


def discard_kernel() -> None:
    """Shut this thread's kernel down (after a failure, so the next notebook starts clean)."""
    km = getattr(_local, "km", None)
    _local.km = None
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
        client = PapermillNotebookClient(
            nb_man,
            km=warm_kernel(),
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        try:
            return client.execute()
        finally:
            if client.kc is not None:  # we own the kernel, not the client: close its channels
                client.kc.stop_channels()


papermill_engines.register(ENGINE, WarmKernelEngine)
