"""Every command from issue 9's list ends in a Swedish `fel: …` line and the right exit code,
never a traceback (item 8); parameters are validated before anything runs (10, 13); the
Makefile passes its variables without a shell parsing them (15)."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from etablering.core.errors import ParameterError
from etablering.reports.notebook_params import (
    CostParams,
    OutcomeParams,
    ReportParams,
    validate_params,
)
from etablering.run import cli
from etablering.run.cli import main
from etablering.run.exit_codes import ExitCode
from etablering.run.report_command import failure_table

ROOT = Path(__file__).resolve().parents[1]


def _run(*args, env=None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "etablering.run.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


def _usage(capsys, *argv) -> str:
    """argparse refuses: exit 2, a `fel:` line in Swedish."""
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "fel: " in err and "Traceback" not in err
    return err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "0680", "--jobs", "-3"], "antal processer måste vara 1–256, fick -3"),
        (["report", "0680", "--jobs", "0"], "antal processer"),
        (["report", "0680", "--timeout", "0"], "sekunder per cell måste vara 1–"),
        (["report", "0680", "--timeout", "-1"], "sekunder per cell"),
        (["report", "0680", "--out", ""], "tom sökväg"),
        (["report", "0680", "--year", "1900"], "året måste vara 1990–2100, fick 1900"),
        (["report", "0680", "--year", "2018.5"], "inget heltal"),
        (["report", "0680", "--scheduler", "nonsens"], "saknar port"),
        (["report", "0680", "--scheduler", "http://x:1"], "ingen adress till en Dask"),
        (["data", "import", ""], "tom sökväg"),
        (["bench", "--sample", "0"], "antal kommuner måste vara 1–290, fick 0"),
        (["bench", "--sample", "-2"], "fick -2"),
        (["bench", "--jobs", "-1"], "antal processer"),
        (["data", "demo", "--seed", "-1"], "slumpfröet måste vara 0–"),
        (["data", "fetch", "--base-url", "ftp://example.se/v3/"], "ingen http- eller https-adress"),
        (["data", "fetch", "--base-url", "file:///etc/passwd"], "ingen http- eller https-adress"),
        (["data", "fetch", "--kpi", "N0097"], "inget KPI-id"),
        (["data", "fetch", "--years", "3000"], "året måste vara"),
        (["report", "0680", "--okänd"], "okända argument"),
    ],
)
def test_bad_arguments_exit_2_with_the_reason(capsys, argv, message):
    assert message in _usage(capsys, *argv)


def test_bench_with_a_bad_sample_starts_nothing_and_leaves_no_temp_folders(capsys):
    before = set(os.listdir(tempfile.gettempdir()))
    _usage(capsys, "bench", "--sample", "-2")
    assert set(os.listdir(tempfile.gettempdir())) <= before


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("/dev/null", "finns redan och är ingen mapp"),
        ("/proc/etablering-rapporter", "Kan inte skriva rapporter i --out"),
        ("FILE", "finns redan och är ingen mapp"),
    ],
)
def test_an_unusable_out_is_refused_before_anything_runs(processed, tmp_path, capsys, out, message):
    if out == "FILE":
        out = str(tmp_path / "en-fil")
        Path(out).write_text("x")
    assert main(["report", "0680", "--notebooks", "02-etablering", "--out", out]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_read_only_out_is_refused(processed, tmp_path, capsys):
    if os.geteuid() == 0:
        pytest.skip("root writes in read-only folders")
    out = tmp_path / "skrivskyddad"
    out.mkdir()
    out.chmod(0o500)
    assert main(["report", "0680", "--out", str(out)]) == 2
    assert "Behörighet saknas" in capsys.readouterr().err


def test_an_unreachable_scheduler_is_refused_before_anything_runs(processed, tmp_path, capsys):
    pytest.importorskip("distributed")
    out = tmp_path / "reports"
    with socketserver_port() as port:  # a port nobody listens on
        args = ["report", "0680", "--notebooks", "02-etablering", "--out", str(out)]
        assert main([*args, "--scheduler", f"tcp://127.0.0.1:{port}"]) == 2
    err = capsys.readouterr().err
    assert "Får ingen kontakt med Dask-schemaläggaren" in err
    assert not out.exists()


class socketserver_port:
    def __enter__(self):
        import socket

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        return self.port

    def __exit__(self, *exc):
        return False


def test_a_lan_given_as_kommun_is_refused_not_turned_into_its_seat(processed, tmp_path, capsys):
    out = tmp_path / "reports"
    assert main(["report", "Jönköpings län", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "'Jönköpings län' är ett län, inte en kommun" in err and "--lan 06" in err
    assert not out.exists()


def test_a_year_without_data_is_refused_and_keeps_the_good_report(processed, tmp_path, capsys):
    out = tmp_path / "reports"
    good = out / "0680-jonkoping" / "01-mottagande.html"
    good.parent.mkdir(parents=True)
    good.write_text("bra rapport")
    assert main(["report", "0680", "--year", "2100", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "inga uppgifter om mottagandet år 2100" in err
    assert "0680 Jönköping: uppgifter finns för 2005–2022" in err
    assert good.read_text() == "bra rapport"
    assert main(["report", "0680", "--year", "2018", "--notebooks", "02-etablering"]) == 2
    assert "--year gäller rapporten 01-mottagande" in capsys.readouterr().err


def test_a_year_out_of_range_says_why(processed, capsys):
    err = _usage(capsys, "report", "0680", "--year", "1900")
    assert "1990–2100" in err and "ParameterError" not in err


def test_the_failure_table_keeps_the_whole_reason():
    error = "ParameterError: Ogiltiga parametrar:\n- parametern year: måste vara ≥ 1990"
    row = {"kommun": "0680", "name": "Jönköping", "notebook": "01-mottagande", "cell": 3}
    table = failure_table([{**row, "error": error}])
    assert "Ogiltiga parametrar: - parametern year: måste vara ≥ 1990" in table


# --- item 10: notebook parameters --------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"need_share": float("nan")}, "need_share: nan är inget ändligt tal"),
        ({"need_share": float("inf")}, "inget ändligt tal"),
        ({"need_share": True}, "need_share: True är ett sant/falskt-värde"),
        ({"rent.single": None}, "saknar värde"),
        ({"": 1}, "ogiltig nyckel"),
        ({"rent.single": {"value": float("nan"), "source": "x"}}, "rent.single.value"),
        ({"rent.single": {"value": False}}, "sant/falskt"),
        ("need_share=0.7", "ska vara en ordlista"),
    ],
)
def test_cost_overrides_refuse_nan_booleans_and_junk(registry, overrides, message):
    with pytest.raises(ParameterError) as exc:
        validate_params(registry, CostParams, kommun="0680", overrides=overrides)
    assert message in str(exc.value)


def test_cost_overrides_keep_real_values_and_record_flags(registry):
    params = validate_params(
        registry,
        CostParams,
        kommun="0680",
        overrides={"need_share": 0.7, "rent.single": {"value": 6000, "derived": False}},
    )
    assert params.overrides == {"need_share": 0.7, "rent.single": {"value": 6000, "derived": False}}


@pytest.mark.parametrize(
    ("model", "values", "message"),
    [
        (CostParams, {"seed": -1}, "parametern seed"),
        (CostParams, {"seed": 2.5}, "parametern seed"),
        (CostParams, {"n_draws": True}, "parametern n_draws"),
        (CostParams, {"start_year": 2023, "end_year": 2019}, "ligger efter end_year"),
        (CostParams, {"start_year": float("nan")}, "parametern start_year"),
        (OutcomeParams, {"first_year": True}, "parametern first_year"),
        (ReportParams, {"year": float("nan")}, "parametern year"),
        (ReportParams, {"year": 2018, "kommun": "Jönköpings län", "peer_kind": "x"}, "parametern"),
    ],
)
def test_notebook_parameters_are_refused_with_the_reason(registry, model, values, message):
    values = {"kommun": "0680", **values}
    if model is ReportParams:
        values.setdefault("year", 2018)
    with pytest.raises(ParameterError) as exc:
        validate_params(registry, model, **values)
    assert message in str(exc.value)


@pytest.mark.notebook
def test_papermill_seed_minus_one_stops_in_the_validation_cell(processed):
    import papermill as pm

    from etablering.run.render import notebook_source

    with pytest.raises(pm.PapermillExecutionError) as exc:
        pm.execute_notebook(
            notebook_source("03-forsorjningsstod"),
            None,
            parameters={"seed": -1, "data_dir": str(processed)},
            kernel_name="python3",
            language="python",
            progress_bar=False,
        )
    assert exc.value.ename == "ParameterError" and "parametern seed" in exc.value.evalue


def test_report_validates_every_job_before_any_kernel_starts(
    processed, tmp_path, capsys, monkeypatch
):
    from etablering.run import report_command as report

    monkeypatch.setattr(report, "run_batch", lambda *a, **k: pytest.fail("a kernel started"))
    monkeypatch.setitem(report.MODELS, "02-etablering", _Strict)
    out = tmp_path / "reports"
    assert main(["report", "0680", "--notebooks", "02-etablering", "--out", str(out)]) == 2
    assert "02-etablering för 0680 Jönköping" in capsys.readouterr().err


class _Strict(OutcomeParams):
    from pydantic import model_validator

    @model_validator(mode="after")
    def _never(self):
        raise ValueError("avsiktligt ogiltig")


# --- item 8: no traceback from any path --------------------------------------------------------


def test_a_closed_pipe_ends_quietly():  # `etablering data status | head -1`
    proc = subprocess.Popen(
        [sys.executable, "-m", "etablering.run.cli", "data", "status"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader is gone before the first line
    assert proc.wait(timeout=120) == ExitCode.PIPE == 141
    assert proc.stderr.read() == b""


def test_head_minus_one(processed):
    proc = subprocess.run(
        f"'{sys.executable}' -m etablering.run.cli data status | head -1",
        shell=True,
        capture_output=True,
        text=True,
        env={**os.environ, "ETABLERING_DATA": str(processed)},
    )
    assert proc.stdout.startswith("Underlag i") and "Traceback" not in proc.stderr


def test_an_ascii_terminal_gets_question_marks_not_a_traceback(processed):
    proc = _run("report", "Jönkööping", env={"PYTHONIOENCODING": "ascii"})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "fel: Ok?nd kommun" in proc.stderr
    proc = _run(
        "data", "status", env={"PYTHONIOENCODING": "ascii", "ETABLERING_DATA": str(processed)}
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr


def test_an_unexpected_error_is_one_line_and_debug_shows_the_traceback(capsys, monkeypatch):
    def broken(args):
        raise RuntimeError("något gick sönder")

    monkeypatch.setattr(cli, "cmd_status", broken)
    assert main(["data", "status"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("fel: oväntat fel (RuntimeError: något gick sönder)") and "--debug" in err
    assert "Traceback" not in err
    assert main(["--debug", "data", "status"]) == 1
    assert "Traceback" in capsys.readouterr().err
    assert main(["data", "status", "--debug"]) == 1  # anywhere on the line
    assert "Traceback" in capsys.readouterr().err


def test_os_errors_are_described_in_swedish(capsys, monkeypatch):
    import errno

    def full(args):
        raise OSError(errno.ENOSPC, "No space left on device", "/rapporter/x.html")

    monkeypatch.setattr(cli, "cmd_status", full)
    assert main(["data", "status"]) == 1
    err = capsys.readouterr().err
    assert "fel: /rapporter/x.html: ingen plats kvar på enheten. Disken är full." in err


def test_ctrl_c_outside_a_batch_is_exit_130(capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "cmd_status", interrupted)
    assert main(["data", "status"]) == 130
    assert "avbrutet (Ctrl-C)" in capsys.readouterr().err


# --- item 15: the Makefile -----------------------------------------------------------------------


@pytest.fixture
def make_stub(tmp_path):
    if not shutil.which("make"):
        pytest.skip("make not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stub = bin_dir / "etablering"
    stub.write_text('#!/bin/sh\nfor a in "$@"; do printf "[%s]\\n" "$a"; done\n')
    stub.chmod(0o755)
    fresh = tmp_path / "fresh"
    fresh.write_text("")  # newer than everything: no install, no import

    def make(*variables, target="report", env=None):
        return subprocess.run(
            [
                "make",
                "-s",
                "-C",
                str(ROOT),
                target,
                f"BIN={bin_dir}",
                f"DATA={fresh}",
                f"STAMP={fresh}",
                *variables,
            ],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            cwd=tmp_path,
        )

    return make


def test_make_passes_a_kommun_with_spaces_and_an_out_with_spaces(make_stub):
    done = make_stub("KOMMUN=Upplands Väsby", "OUT=mina rapporter")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:4] == [
        "[report]",
        "[Upplands Väsby]",
        "[--out]",
        "[mina rapporter]",
    ]


def test_make_takes_several_kommuner_separated_by_commas(make_stub):
    done = make_stub("KOMMUN=0680,Upplands Väsby,Habo")
    assert done.stdout.splitlines()[:4] == ["[report]", "[0680]", "[Upplands Väsby]", "[Habo]"]


@pytest.mark.parametrize(
    "kommun",
    [
        "0680; touch {pwned}",
        "0680 && touch {pwned}",
        "$(touch {pwned})",
        "`touch {pwned}`",
        "$(shell touch {pwned})",
        "0680' ; touch {pwned} ; echo '",
        "*",
    ],
)
def test_make_never_runs_a_kommun_as_a_command(make_stub, tmp_path, kommun):
    pwned = tmp_path / "pwned"
    value = kommun.format(pwned=pwned)
    for done in (make_stub(f"KOMMUN={value}"), make_stub(env={"KOMMUN": value})):
        assert done.returncode == 0, done.stderr
        assert not pwned.exists(), f"{value!r} ran a command"
        assert done.stdout.splitlines()[1] == f"[{value}]"  # one argument, as typed
    done = make_stub(f"OUT={value}")
    assert not pwned.exists() and f"[{value}]" in done.stdout
    done = make_stub(f"SAMPLE={value}", target="bench")
    assert not pwned.exists() and f"[{value}]" in done.stdout


def test_make_clean_refuses_to_remove_root(make_stub, tmp_path):
    done = make_stub("OUT=/", target="clean")
    assert done.returncode != 0 and "tas inte bort" in done.stderr
