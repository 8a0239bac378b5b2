"""Notebooks executed in the batch worker itself: papermill's engine interface, with an IPython
shell in the worker's process instead of a kernel beside it.

A kernel is a second process: every cell's code goes to it and every output (a chart is a few
hundred kB of HTML) comes back as a signed JSON message, which cost about a fifth of a
report's time. A batch worker is a process of its own already, used for nothing else, so it
runs the cells itself, with what a kernel gave: a fresh namespace per notebook, outputs in
order, a timeout per cell. A worker that dies (a cell calling os._exit, a crash in C code) is
handled by the batch (batch.py restarts the pool and runs the suspect alone).

Only in a process's main thread (the timeout is a timer signal, which only the main thread
gets): Dask's threaded workers and any other thread keep warm kernels (kernels.py).
"""

import gc
import os
import signal
import sys
import threading
import traceback
import types

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from papermill.engines import Engine, papermill_engines
from traitlets import Type

ENGINE = "etablering-inprocess"


class CellTimeoutError(BaseException):
    """A cell ran past its time (BaseException: a cell's `except Exception` must not hide it)."""


def usable() -> bool:
    return threading.current_thread() is threading.main_thread()


class _Outputs:
    """Where the running cell's outputs go, in the order they are made."""

    current: list | None = None

    @classmethod
    def add(cls, output) -> None:
        if cls.current is not None:
            cls.current.append(output)


class _Publisher(DisplayPublisher):
    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kw):
        _Outputs.add(nbformat.v4.new_output("display_data", data=data, metadata=metadata or {}))

    def clear_output(self, wait=False):
        if _Outputs.current is not None:
            _Outputs.current.clear()


class _ResultHook(DisplayHook):
    """A cell's last expression, as Jupyter shows it (an execute_result), never printed."""

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        _Outputs.add(
            nbformat.v4.new_output(
                "execute_result",
                data=format_dict,
                metadata=md_dict or {},
                execution_count=self.prompt_count,
            )
        )

    def finish_displayhook(self):
        self._is_active = False


class _Stream:
    """sys.stdout / sys.stderr during a cell: text becomes stream outputs, in order."""

    def __init__(self, name: str):
        self.name = name
        self.encoding = "utf-8"

    def write(self, text: str) -> int:
        outputs = _Outputs.current
        if outputs is None or not text:
            return len(text or "")
        last = outputs[-1] if outputs else None
        if last is not None and last.output_type == "stream" and last.name == self.name:
            last.text += text
        else:
            outputs.append(nbformat.v4.new_output("stream", name=self.name, text=text))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class _Shell(InteractiveShell):
    displayhook_class = Type(_ResultHook)
    display_pub_class = Type(_Publisher)

    def _showtraceback(self, etype, evalue, stb):
        _Outputs.add(
            nbformat.v4.new_output(
                "error",
                ename=getattr(etype, "__name__", str(etype)),
                evalue=str(evalue),
                traceback=list(stb),
            )
        )


class _NotebookModule(types.ModuleType):
    """The notebook's `__main__`. IPython puts it in sys.modules; multiprocessing's spawn then
    asks it for `__spec__` (a pool started later in this process), which the namespace reset
    between notebooks would delete if it were the module's own attribute."""

    __spec__ = None


def _shell() -> InteractiveShell:
    shell = _Shell.instance(
        colors="nocolor", history_length=0, user_module=_NotebookModule("__main__")
    )
    shell.history_manager.enabled = False
    return shell


def _on_timer(signum, frame):
    raise CellTimeoutError


# A cell stuck inside C code never returns to Python, where the timer's exception is raised:
# this long after its timeout the worker ends itself, and the batch fails the report as a
# worker that died (batch.WorkerDiedError) instead of waiting for it for ever.
HUNG_GRACE_S = 30.0
HUNG_EXIT = 70


def _hung(timeout: float) -> None:
    sys.__stderr__.write(
        f"etablering: en cell svarade inte {timeout:g} s efter sin tidsgräns; processen avslutas\n"
    )
    sys.__stderr__.flush()
    os._exit(HUNG_EXIT)


def run_cell(shell, source: str, timeout: float | None) -> tuple[list, bool]:
    """The cell's outputs and whether it succeeded."""
    outputs: list = []
    _Outputs.current = outputs
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Stream("stdout"), _Stream("stderr")
    previous = signal.signal(signal.SIGALRM, _on_timer) if timeout else None
    watchdog = threading.Timer(timeout + HUNG_GRACE_S, _hung, (timeout,)) if timeout else None
    try:
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            watchdog.daemon = True
            watchdog.start()
        try:
            result = shell.run_cell(source, store_history=False)
        finally:
            if timeout:
                signal.setitimer(signal.ITIMER_REAL, 0)
                watchdog.cancel()
        error = result.error_before_exec or result.error_in_exec
        if isinstance(error, CellTimeoutError):
            # IPython showed it as an error already; say what it was
            outputs[:] = [o for o in outputs if o.output_type != "error"]
            outputs.append(
                nbformat.v4.new_output(
                    "error",
                    ename="CellTimeoutError",
                    evalue=f"cellen tog längre än {timeout:g} s och avbröts (--timeout)",
                    traceback=traceback.format_exception(error),
                )
            )
        elif error is not None and not any(o.output_type == "error" for o in outputs):
            outputs.append(
                nbformat.v4.new_output(
                    "error",
                    ename=type(error).__name__,
                    evalue=str(error),
                    traceback=traceback.format_exception(error),
                )
            )
        return outputs, error is None
    finally:
        if timeout:
            signal.signal(signal.SIGALRM, previous)
        sys.stdout, sys.stderr = streams
        _Outputs.current = None


def reset(shell) -> None:
    """An empty namespace for the next notebook. What survives (modules, caches) is what every
    report shares: gc.freeze() keeps the collector from walking it again at every report."""
    import matplotlib.pyplot as plt

    plt.close("all")
    shell.reset(new_session=False)
    gc.collect()
    gc.freeze()


class InProcessEngine(Engine):
    """papermill's engine interface over this process's IPython shell."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, execution_timeout=None, **kwargs):
        shell = _shell()
        reset(shell)
        count = 0
        for index, cell in enumerate(nb_man.nb.cells):
            if cell.cell_type != "code":
                continue
            nb_man.cell_start(cell, index)
            count += 1
            outputs, ok = run_cell(shell, cell.source, execution_timeout)
            cell.outputs = outputs
            cell.execution_count = count
            if not ok:
                nb_man.cell_exception(cell, index)
                nb_man.cell_complete(cell, index)
                return  # papermill raises PapermillExecutionError from the error output
            nb_man.cell_complete(cell, index)


papermill_engines.register(ENGINE, InProcessEngine)
