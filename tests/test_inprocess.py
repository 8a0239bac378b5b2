"""Cells run in the worker process give the notebook a kernel would: outputs in order, the
last expression as a result, errors papermill can report, a timeout, an empty namespace for
every notebook."""

import nbformat
import papermill as pm
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from etablering.run import inprocess


def _run(tmp_path, *sources, timeout=None, parameters=None):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    if parameters:
        nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    return pm.execute_notebook(
        nb,
        str(tmp_path / "out.ipynb"),
        parameters=parameters,
        engine_name=inprocess.ENGINE,
        kernel_name="python3",
        progress_bar=False,
        execution_timeout=timeout,
    )


def test_outputs_in_order_with_streams_displays_and_the_last_expression(tmp_path):
    nb = _run(
        tmp_path,
        "from IPython.display import HTML, display\nimport sys\n"
        "print('före')\ndisplay(HTML('<b>tabell</b>'))\nprint('efter', end='')\n"
        "print(' samma rad')\nprint('varning för utvecklare', file=sys.stderr)\n41 + 1",
    )
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == [
        "stream",
        "display_data",
        "stream",
        "stream",
        "execute_result",
    ]
    assert outputs[0].text == "före\n" and outputs[2].text == "efter samma rad\n"
    assert outputs[1].data["text/html"] == "<b>tabell</b>"
    assert outputs[3].name == "stderr" and "för utvecklare" in outputs[3].text
    assert outputs[4].data["text/plain"] == "42"
    # the saved notebook is valid nbformat
    nbformat.validate(nbformat.read(tmp_path / "out.ipynb", as_version=4))


def test_an_error_stops_the_notebook_and_names_the_cell(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as raised:
        _run(tmp_path, "x = 1", "raise ValueError('avsiktligt')", "y = 2")
    assert raised.value.ename == "ValueError" and raised.value.evalue == "avsiktligt"
    assert raised.value.cell_index == 1
    saved = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert saved.cells[-1].outputs == []  # the cell after the error did not run


def test_a_cell_that_hangs_is_stopped_even_if_it_catches_exceptions(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as raised:
        _run(
            tmp_path,
            "import time\ntry:\n    time.sleep(30)\nexcept Exception:\n    pass",
            timeout=1,
        )
    assert raised.value.ename == "CellTimeoutError"
    assert "1 s" in raised.value.evalue


def test_every_notebook_starts_with_an_empty_namespace(tmp_path):
    _run(tmp_path, "left_behind = 'från förra rapporten'")
    nb = _run(tmp_path, "print('left_behind' in dir())")
    assert nb.cells[0].outputs[0].text == "False\n"


def test_parameters_are_injected_as_papermill_does(tmp_path):
    nb = _run(tmp_path, "kommun = '0000'", "print(kommun)", parameters={"kommun": "0114"})
    assert nb.cells[-1].outputs[0].text == "0114\n"  # a text code keeps its leading zero


def test_a_process_pool_starts_after_notebooks_ran_here(tmp_path):
    """IPython makes the notebook's namespace this process's __main__; a pool spawned later
    (the batch in a test, a notebook's own) must still start."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _run(tmp_path, "x = 1")
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        assert pool.submit(abs, -3).result(timeout=60) == 3


def test_a_cell_stuck_where_the_timeout_cannot_reach_ends_its_worker(tmp_path):
    """A cell that never returns to Python (here: the timer's signal blocked) cannot be
    interrupted; the worker ends itself soon after the timeout and the batch fails the report
    as a worker that died. Run in a child process: it is that process that ends."""
    import subprocess
    import sys
    import time

    script = (
        "import signal, time, nbformat, papermill as pm\n"
        "from nbformat.v4 import new_code_cell, new_notebook\n"
        "from etablering.run import inprocess\n"
        "inprocess.HUNG_GRACE_S = 1\n"
        "nb = new_notebook(cells=[new_code_cell("
        "'import signal, time\\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\\n"
        "time.sleep(60)')])\n"
        "nb.metadata['kernelspec'] = {'name': 'python3', 'language': 'python', 'display_name': 'P'}\n"
        f"pm.execute_notebook(nb, {str(tmp_path / 'out.ipynb')!r}, engine_name=inprocess.ENGINE,"
        " kernel_name='python3', progress_bar=False, execution_timeout=1)\n"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=50
    )
    assert done.returncode == inprocess.HUNG_EXIT, done.stderr
    assert time.monotonic() - started < 40
    assert "svarade inte 1 s efter sin tidsgräns" in done.stderr
