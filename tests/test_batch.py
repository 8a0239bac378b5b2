"""The batch runner under faults: a failing kommun, a hanging cell, a dying kernel, a killed
batch resumed, two batches on one folder. Uses small stand-in notebooks (ETABLERING_NOTEBOOKS)
so the faults are certain and quick."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from stand_in import report_cmd

from etablering.run.batch import OutputLockedError, output_lock, plan, run_batch
from etablering.run.render import WORK

pytestmark = pytest.mark.notebook

STAND_IN = """# %% tags=["parameters"]
kommun = "0680"
year = 2018
data_dir = ""

# %%
import os
import time

from etablering.present import display as show

if kommun == "0114":
    raise ValueError(f"avsiktligt fel för {kommun}")
if kommun == "0115":
    time.sleep(120)
if kommun == "0117":
    os._exit(1)
if kommun == "0120":
    time.sleep(1.5)
show.text(f"Rapport för {kommun} {year}")
show.table(__import__("pandas").DataFrame({"Kommun": [kommun]}), "Källa: test")  # a report shows something
"""


@pytest.fixture
def stand_in(stand_in_notebook):
    return stand_in_notebook(STAND_IN)


def _jobs(registry, codes):
    return plan([registry.get(c) for c in codes], ["01-mottagande"], {"year": 2018}, "v1")


def _statuses(manifest):
    return {r["kommun"]: r["status"] for r in manifest["results"]}


def test_failures_are_recorded_and_the_batch_goes_on(stand_in, registry, tmp_path):
    out = tmp_path / "reports"
    manifest = run_batch(
        _jobs(registry, ["0680", "0114", "0115", "0117", "0180"]),
        out,
        "v1",
        workers=2,
        # per cell; generous, as a fresh kernel's first imports are slow on a loaded CI machine
        timeout=15,
        progress=False,
    )
    assert _statuses(manifest) == {
        "0680": "ok",
        "0114": "failed",
        "0115": "failed",
        "0117": "failed",
        "0180": "ok",
    }, manifest["results"]
    by_code = {r["kommun"]: r for r in manifest["results"]}
    assert by_code["0114"]["error"] == "ValueError: avsiktligt fel för 0114"
    assert by_code["0114"]["cell"] == 2  # parameters, injected parameters, then the failing cell
    assert "Timeout" in by_code["0115"]["error"] or "timed out" in by_code["0115"]["error"]
    assert "Dead" in by_code["0117"]["error"] or "died" in by_code["0117"]["error"]
    assert (out / "0114-upplands-vasby" / "01-mottagande.failed.ipynb").exists()
    assert not (out / "0114-upplands-vasby" / "01-mottagande.html").exists()
    written = json.loads((out / "manifest.json").read_text())
    assert (
        written["run_id"] == manifest["run_id"]
        and (out / "runs" / f"{manifest['run_id']}.json").exists()
    )
    assert not list(out.rglob("*.tmp")) and not any((out / WORK).iterdir())


def test_a_failing_rerun_keeps_the_earlier_good_report(stand_in, registry, tmp_path):
    out = tmp_path / "reports"
    run_batch(_jobs(registry, ["0180"]), out, "v1", workers=1, progress=False)
    good = (out / "0180-stockholm" / "01-mottagande.html").read_text()
    (stand_in / "01-mottagande.py").write_text(STAND_IN.replace('kommun == "0114"', "True"))
    manifest = run_batch(_jobs(registry, ["0180"]), out, "v1", workers=1, progress=False)
    assert _statuses(manifest) == {"0180": "failed"}
    assert (out / "0180-stockholm" / "01-mottagande.html").read_text() == good


def test_resume_skips_what_is_up_to_date_and_redoes_what_changed(stand_in, registry, tmp_path):
    out = tmp_path / "reports"
    run_batch(_jobs(registry, ["0680", "0180"]), out, "v1", workers=1, progress=False)
    again = run_batch(
        _jobs(registry, ["0680", "0180"]), out, "v1", workers=1, resume=True, progress=False
    )
    assert _statuses(again) == {"0680": "skipped", "0180": "skipped"}
    newer_data = plan([registry.get("0680")], ["01-mottagande"], {"year": 2018}, "v2")
    assert _statuses(run_batch(newer_data, out, "v2", workers=1, resume=True, progress=False)) == {
        "0680": "ok"
    }
    changed = plan([registry.get("0680")], ["01-mottagande"], {"year": 2019}, "v1")
    assert _statuses(run_batch(changed, out, "v1", workers=1, resume=True, progress=False)) == {
        "0680": "ok"
    }


def test_a_second_batch_on_the_same_folder_refuses(tmp_path):
    with output_lock(tmp_path):
        with pytest.raises(OutputLockedError, match="skriver redan till"):
            with output_lock(tmp_path):
                pass
    with output_lock(tmp_path):  # released afterwards
        pass


def test_a_stale_lock_from_a_killed_batch_is_taken_over(tmp_path):
    """A killed batch's lock file (no process holds its flock) is taken over: this run is
    named in it while it runs, a second batch is refused, and the file goes afterwards."""
    lock = tmp_path / ".etablering.lock"
    lock.write_text(json.dumps({"pid": 999_999_999, "host": os.uname().nodename}))
    with output_lock(tmp_path):
        assert json.loads(lock.read_text())["pid"] == os.getpid()
        with pytest.raises(OutputLockedError, match=f"pid {os.getpid()}"):
            with output_lock(tmp_path):
                pass
    assert not lock.exists()


def test_killed_batch_resumes_without_redoing_or_partial_files(stand_in, processed, tmp_path):
    out = tmp_path / "reports"
    codes = ["0120", "0123", "0125", "0126", "0127", "0128"]  # 0120 sleeps: time to kill
    cmd = report_cmd(codes, out, 1)
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.time() + 60
    while time.time() < deadline and len(list(out.glob("*/01-mottagande.html"))) < 2:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/01-mottagande.html")}
    assert 2 <= len(done_before) < len(codes)
    resumed = subprocess.run([*cmd, "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    statuses = _statuses(manifest)
    assert sum(s == "skipped" for s in statuses.values()) >= len(done_before)
    assert all(s in ("ok", "skipped") for s in statuses.values())
    for slug, mtime in done_before.items():  # nothing completed was redone
        assert (out / slug / "01-mottagande.html").stat().st_mtime_ns == mtime
    assert len(list(out.glob("*/01-mottagande.html"))) == len(codes)
    assert not list(out.rglob("*.tmp")) and not (out / ".etablering.lock").exists()


def test_cli_exits_1_with_a_failure_table(stand_in, processed, tmp_path):
    out = tmp_path / "reports"
    proc = subprocess.run(report_cmd(["0680", "0114"], out, 1), capture_output=True, text=True)
    assert proc.returncode == 1
    assert "1 rapporter misslyckades" in proc.stderr
    assert (
        "0114 Upplands Väsby" in proc.stderr
        and "ValueError: avsiktligt fel för 0114" in proc.stderr
    )
    assert (out / "0680-jonkoping" / "01-mottagande.html").exists()
    assert 'href="0680-jonkoping/index.html"' in (out / "index.html").read_text()


def test_the_kernel_keeps_no_input_history(stand_in, processed, tmp_path):
    """A batch writes its reports and nothing else: no IPython history database in the
    analyst's home (each cell of every report would be stored there)."""
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "IPYTHONDIR": str(home / ".ipython")}
    out = tmp_path / "reports"
    proc = subprocess.run(
        report_cmd(["0680", "0123"], out, 1), capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert len(list(out.glob("*/01-mottagande.html"))) == 2
    assert not list(home.rglob("history.sqlite*"))


def test_the_batch_does_not_compile_the_iri_grammar():
    """jsonschema, under nbformat, builds a parser for IRI formats at import when
    rfc3987_syntax is installed: a second of every batch process's start, for a check no
    notebook schema makes."""
    probe = (
        "import sys, etablering.run.batch, nbformat; "
        "print(sorted(m for m in ('rfc3987_syntax', 'lark') if sys.modules.get(m)))"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_a_report_with_nothing_to_show_is_a_failed_job(registry, tmp_path, monkeypatch):
    """Every section left out for want of data: the job fails (with the reason), no page."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from etablering.run import render

    empty = new_notebook(
        cells=[
            new_code_cell("kommun = '0680'", metadata={"tags": ["parameters"]}),
            new_code_cell(
                "from etablering.present import display as show\n"
                "show.text('## Mottagandet år för år')\n"
                "show.notice('Uppgift saknas för 2022 – kör `etablering data import`.')"
            ),
        ]
    )
    empty.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    monkeypatch.setattr(render, "notebook_source", lambda name: empty)
    result = render.render(registry.get("0680"), "01-mottagande", tmp_path, {}, "v")
    assert result.status == "failed" and "Rapporten har inget att visa" in result.error
    assert not (tmp_path / "0680-jonkoping" / "01-mottagande.html").exists()
    assert (tmp_path / "0680-jonkoping" / "01-mottagande.failed.ipynb").exists()
    table = nbformat.from_dict(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "outputs": [
                        {"data": {"text/html": '<table class="dataframe etablering-table">'}}
                    ],
                }
            ]
        }
    )
    assert render.has_content(table) and not render.has_content(empty)
