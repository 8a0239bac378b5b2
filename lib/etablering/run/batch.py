"""Rendering many kommuner: a process pool (or a Dask cluster), one progress bar, a manifest per
run, continue past failures, --resume, and a lock so two batches never share an output folder.

A batch pins one data version for its whole run: the processed tables are linked into a
snapshot under <out>/.work/ before any job starts, every job reads the snapshot, and a job
whose snapshot does not hold the pinned version fails loudly. Ctrl-C stops the batch within
seconds: no new job starts, the workers and their kernels are stopped, and the manifest says
the run was interrupted (status 'avbruten') and which reports were finished.
"""

import dataclasses
import errno
import fcntl
import hashlib
import json
import multiprocessing
import multiprocessing.util
import os
import shutil
import signal
import socket
import threading
import time
import uuid
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tqdm import tqdm

from .. import __version__
from ..core.errors import EtableringError, UsageError, describe_os_error
from ..core.files import write_atomic
from ..data import store
from . import kernels, outfolder
from .render import WORK, RenderResult, job_key, notebook_hash, parameter_names, render

LOCK = ".etablering.lock"
DONE, INTERRUPTED = "klar", "avbruten"  # the manifest's status of a run
STOP_GRACE_S = 5.0  # how long stopped workers get to shut their kernels down


class OutputLockedError(EtableringError):
    pass


class DataChangedError(EtableringError):
    """The processed tables changed (a re-import) between planning and pinning the run."""


class SchedulerError(UsageError):
    """--scheduler names no Dask scheduler that answers."""


@dataclass(frozen=True)
class Job:
    area: object  # registry.Area (picklable dataclass)
    notebook: str
    parameters: dict
    key: str


def plan(areas, notebooks, base_parameters: dict, data_version: str) -> list[Job]:
    """One job per kommun and notebook; each notebook gets only the parameters it declares."""
    jobs = []
    for area in areas:
        for nb in notebooks:
            accepted = parameter_names(nb)
            params = {
                k: v for k, v in {**base_parameters, "kommun": area.code}.items() if k in accepted
            }
            jobs.append(Job(area, nb, params, job_key(nb, params, data_version)))
    return jobs


def up_to_date(job: Job, out_dir: Path, data_version: str | None = None) -> bool:
    """The page was made by this notebook text, these parameters and this data version (the
    key holds all three; the version the page recorded must agree too)."""
    kommun_dir = out_dir / job.area.slug
    stem = f"{job.notebook}-demo" if job.parameters.get("demo") else job.notebook
    meta = outfolder.read_meta(kommun_dir, stem)
    if data_version is not None and meta.get("data_version", data_version) != data_version:
        return False
    return meta.get("key") == job.key and (kommun_dir / f"{stem}.html").exists()


@contextmanager
def output_lock(out_dir: Path):
    """Refuse a second batch on the same folder. The lock is an flock held on <out>/.etablering.lock
    for the whole run: the kernel releases it when the process ends, however it ends, so a
    killed batch leaves nothing to take over and two batches starting together can never both
    hold it (there is no moment between seeing a stale lock and taking it)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            holder = _read_lock(path)
            who = f"pid {holder['pid']} på {holder.get('host', '?')}, " if holder.get("pid") else ""
            raise OutputLockedError(
                f"En annan körning ({who}startad {holder.get('started', 'nyss')}) "
                f"skriver redan till {out_dir}. Vänta tills den är klar eller välj en annan --out."
            ) from None
        # The file locked must still be the one at the path: a batch that just finished
        # removes it (while holding it), and a lock on a removed file protects nothing.
        try:
            current = os.stat(path).st_ino
        except FileNotFoundError:
            current = None
        if current == os.fstat(fd).st_ino:
            break
        os.close(fd)
    try:
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now().isoformat(timespec="seconds"),
        }
        try:
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps(holder).encode())
        except OSError:  # a full disk: the holder's name is only for the message
            pass
        yield
    finally:
        try:  # still holding it: no one can take a lock on a removed file
            path.unlink(missing_ok=True)
        except OSError:  # read-only by now: the lock is released on close all the same
            pass
        os.close(fd)


def _read_lock(path: Path) -> dict:
    try:
        holder = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


# --- one data version for the whole run ---------------------------------------------------------


def pin_data(source: Path, target: Path, data_version: str) -> Path:
    """Link (or copy) the processed tables into `target` and check that what was linked is
    exactly the tables of `data_version`, file by file (a re-import swaps files in by rename,
    so a linked file never changes afterwards)."""
    source = Path(source)
    for _attempt in range(3):
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob("*.parquet"):
            old.unlink()
        manifest_bytes = (source / store.MANIFEST).read_bytes()
        manifest = json.loads(manifest_bytes)
        for name in manifest["tables"]:
            _link_or_copy(source / f"{name}.parquet", target / f"{name}.parquet")
        (target / store.MANIFEST).write_bytes(manifest_bytes)
        if _complete(target, manifest):
            break
    else:
        raise DataChangedError(
            f"Underlaget i {source} skrivs om just nu (en import eller hämtning pågår); "
            "vänta tills den är klar och kör igen."
        )
    found = store.data_version(target)
    if found != data_version:
        raise DataChangedError(
            f"Underlaget i {source} ändrades när körningen startade (dataversion {data_version} "
            f"blev {found}); kör igen så används den nya versionen i alla rapporter."
        )
    return target


PINNED = ".etablering-pinned"


def _pin_folder(data_dir: Path, out_dir: Path, run_id: str) -> Path:
    """Beside the processed tables (the same disk, so they are hard links that cost nothing,
    and where Dask workers already read them); one folder per run, removed at its end. A
    folder left by a killed batch on this machine is removed by the next one."""
    base = data_dir.resolve().parent / PINNED
    try:
        base.mkdir(exist_ok=True)
        for old in base.iterdir():
            owner = _read_lock(old / "owner.json")
            if owner.get("host") == socket.gethostname() and not _alive(owner.get("pid")):
                shutil.rmtree(old, ignore_errors=True)
        folder = base / run_id
        folder.mkdir()
        (folder / "owner.json").write_text(
            json.dumps({"pid": os.getpid(), "host": socket.gethostname()})
        )
        return folder
    except OSError:  # read-only data folder: a copy in the output folder's work area
        return out_dir / WORK / f"data-{run_id}"


def _alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except (TypeError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except FileNotFoundError:
        pass  # caught by _complete: the table was replaced in between
    except OSError:  # another file system, or links not allowed
        try:
            shutil.copy2(src, dst)
        except FileNotFoundError:
            pass


def _complete(folder: Path, manifest: dict) -> bool:
    for name, entry in manifest["tables"].items():
        path = folder / f"{name}.parquet"
        if not path.exists():
            return False
        want = entry.get("content_sha256")
        if want and hashlib.sha256(path.read_bytes()).hexdigest() != want:
            return False
    return True


def _pinned(job: "Job", data_dir: Path | None) -> "Job":
    """The job as it runs: reading the snapshot (its key, what --resume compares, unchanged)."""
    if data_dir is None or "data_dir" not in job.parameters:
        return job
    return dataclasses.replace(job, parameters={**job.parameters, "data_dir": str(data_dir)})


def check_scheduler(address: str, timeout: float = 10.0) -> None:
    """Connect once before anything runs, so a wrong or unreachable address is exit 2."""
    try:
        from distributed import Client
    except ImportError:
        raise SchedulerError(
            "--scheduler kräver Dask: installera med `pip install -e '.[dist]'`."
        ) from None
    try:
        with Client(address, timeout=f"{timeout}s", set_as_default=False):
            pass
    except Exception as exc:  # OSError, TimeoutError, ValueError for a bad address, ...
        raise SchedulerError(
            f"Får ingen kontakt med Dask-schemaläggaren {address} ({type(exc).__name__}: "
            f"{exc}). Kontrollera adressen och att schemaläggaren är igång."
        ) from None


def _worker_init(data_dir: str | None = None) -> None:
    # multiprocessing children leave through os._exit, so atexit never runs: finalize instead.
    multiprocessing.util.Finalize(None, kernels._shutdown_all, exitpriority=10)
    # Ctrl-C reaches the whole process group: the batch (the parent) decides what stops, a
    # worker must not die half-way through nbclient or a write. It is stopped with SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_worker)
    if data_dir:  # kernels this worker starts read the pinned snapshot too
        os.environ["ETABLERING_DATA"] = data_dir


def _stop_worker(signum, frame) -> None:
    kernels.kill_all_now()
    os._exit(128 + signum)


def execute_job(
    job: Job, out_dir: str, data_version: str, timeout: int, verify: bool = False
) -> dict:
    """Runs in a worker process (or on a Dask worker). With `verify` (a pinned run), the job's
    data folder must hold `data_version`, or the job fails before its notebook starts."""
    try:
        if verify:
            _check_version(job, data_version)
        result = render(
            job.area, job.notebook, out_dir, job.parameters, data_version, timeout, key=job.key
        )
    except Exception as exc:  # an error outside the notebook (disk full, ...) fails one job only
        return _failed(job, exc)
    return result.as_dict()


def _check_version(job: Job, data_version: str) -> None:
    data_dir = job.parameters.get("data_dir")
    if not data_dir:
        return
    found = store.data_version(data_dir)
    if found != data_version:
        raise DataChangedError(
            f"rapporten skulle göras med dataversion {data_version} men {data_dir} har {found}; "
            "underlaget byttes under körningen – kör om"
        )


def _failed(job: Job, exc: BaseException) -> dict:
    if isinstance(exc, OSError):
        error = f"{type(exc).__name__}: {describe_os_error(exc)}"
    else:
        error = f"{type(exc).__name__}: {exc}"
    return RenderResult(
        job.area.code, job.area.name, job.notebook, "failed", 0.0, job.key, error=error
    ).as_dict()


def _interrupted(job: Job) -> dict:
    return RenderResult(
        job.area.code,
        job.area.name,
        job.notebook,
        "interrupted",
        0.0,
        job.key,
        error="avbruten (Ctrl-C) innan rapporten blev klar",
    ).as_dict()


@contextmanager
def make_executor(workers: int, scheduler: str | None, data_dir: Path | None = None):
    if scheduler:
        from distributed import Client  # optional: only for --scheduler

        with Client(scheduler, set_as_default=False) as client:
            yield client.get_executor()
    else:
        context = multiprocessing.get_context("spawn")  # no inherited locks or threads
        pool = ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=_worker_init,
            initargs=(str(data_dir) if data_dir else None,),
        )
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _stop(pool, futures) -> None:
    """After Ctrl-C: cancel what has not started, stop the workers (each kills its kernels),
    and make sure no process is left behind."""
    for future in futures:
        future.cancel()
    processes = list(getattr(pool, "_processes", {}).values()) if pool is not None else []
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + STOP_GRACE_S
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():  # stuck in C code: its kernels die with it (parent poller)
            process.kill()
            process.join(1.0)


@contextmanager
def _sigint_ignored():
    """Cleaning up after Ctrl-C takes a few seconds; a second Ctrl-C must not cut it short
    and leave a run without its manifest."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _clean_work(out_dir: Path) -> None:
    """Partial runs of a killed or interrupted batch; never a finished report."""
    shutil.rmtree(out_dir / WORK, ignore_errors=True)
    for tmp in out_dir.rglob(".*.tmp"):
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # read-only: the next run removes it
            pass


def run_batch(
    jobs: list[Job],
    out_dir,
    data_version: str,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    resume: bool = False,
    timeout: int = 600,
    progress: bool = True,
    executor: Executor | None = None,
    data_dir=None,
) -> dict:
    """Render every job; returns the run manifest (also written to <out>/runs/<run-id>.json).

    With `data_dir`, the tables there are pinned for the run (see pin_data). The manifest's
    `status` is 'klar', or 'avbruten' after Ctrl-C (unfinished jobs then have status
    'interrupted'). If the manifest cannot be written (disk full), `manifest_error` says why;
    the results are returned all the same."""
    out_dir = Path(out_dir)
    run_id = datetime.now().strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]
    started = time.perf_counter()
    with output_lock(out_dir):
        _clean_work(out_dir)
        pinned = None
        try:
            if data_dir is not None:
                pinned = pin_data(
                    Path(data_dir), _pin_folder(Path(data_dir), out_dir, run_id), data_version
                )
            skipped = [j for j in jobs if resume and up_to_date(j, out_dir, data_version)]
            todo = [j for j in jobs if j not in skipped]
            results = [
                RenderResult(j.area.code, j.area.name, j.notebook, "skipped", 0.0, j.key).as_dict()
                for j in skipped
            ]
            status = DONE
            if todo:
                status = _run(
                    todo,
                    results,
                    out_dir,
                    data_version,
                    pinned,
                    executor,
                    workers,
                    scheduler,
                    timeout,
                    progress,
                )
        finally:
            if pinned is not None:
                shutil.rmtree(pinned, ignore_errors=True)
        if status == INTERRUPTED:
            _clean_work(out_dir)
        manifest = {
            "run_id": run_id,
            "status": status,
            "created": datetime.now().isoformat(timespec="seconds"),
            "etablering_version": __version__,
            "data_version": data_version,
            "notebooks": {nb: notebook_hash(nb) for nb in sorted({j.notebook for j in jobs})},
            "parameters": jobs[0].parameters if jobs else {},
            "executor": scheduler or f"process pool ({workers})",
            "duration_s": round(time.perf_counter() - started, 2),
            "results": sorted(results, key=lambda r: (r["kommun"], r["notebook"])),
        }
        text = json.dumps(manifest, ensure_ascii=False, indent=2)
        try:
            write_atomic(out_dir / "runs" / f"{run_id}.json", text)
            write_atomic(out_dir / "manifest.json", text)
        except OSError as exc:  # disk full: the caller still reports every result
            manifest["manifest_error"] = (
                f"Kunde inte skriva körloggen {out_dir / 'manifest.json'}: {describe_os_error(exc)}"
            )
    return manifest


def _run(
    todo, results, out_dir, data_version, pinned, executor, workers, scheduler, timeout, progress
) -> str:
    """Run the jobs; appends to `results`. Returns the run's status."""
    todo = sorted(todo, key=_expected_cost, reverse=True)  # stable: planned order within a kind
    runnable = [_pinned(j, pinned) for j in todo]
    pool, futures = None, {}
    try:
        with _given(executor) if executor else make_executor(workers, scheduler, pinned) as pool:
            futures = {
                pool.submit(
                    execute_job, j, str(out_dir), data_version, timeout, pinned is not None
                ): original
                for j, original in zip(runnable, todo, strict=True)
            }
            bar = tqdm(
                as_completed(futures),
                total=len(todo),
                desc="Rapporter",
                unit="rapport",
                disable=not progress,
            )
            try:
                for future in bar:
                    job = futures[future]
                    try:
                        results.append(future.result())
                    except Exception as exc:  # the worker process itself died
                        results.append(_failed(job, exc))
            except KeyboardInterrupt:
                with _sigint_ignored():
                    bar.close()
                    _stop(pool, futures)
                    _collect_after_stop(futures, results)
                return INTERRUPTED
    except KeyboardInterrupt:  # during start-up or shutdown of the pool
        with _sigint_ignored():
            _stop(pool, futures)
            _collect_after_stop(futures, results)
        return INTERRUPTED
    return DONE


# Relative time of a report (measured: a län's 03 simulates each of its kommuner). The longest
# start first, so the run does not end with one worker busy on a län while the other waits.
_COST = {"03-forsorjningsstod": 2.0, "02-etablering": 1.5, "01-mottagande": 1.0}


def _expected_cost(job: Job) -> float:
    cost = _COST.get(job.notebook, 1.0)
    if getattr(job.area, "kind", "kommun") == "lan":
        cost *= 3.0 if job.notebook == "03-forsorjningsstod" else 1.5
    return cost


def _collect_after_stop(futures: dict, results: list) -> None:
    have = {(r["kommun"], r["notebook"]) for r in results}
    for future, job in futures.items():
        if (job.area.code, job.notebook) in have:
            continue
        outcome = None
        if future.done() and not future.cancelled():
            try:
                outcome = future.result(timeout=0)
            except BaseException:
                outcome = None
        results.append(outcome if outcome and outcome["status"] == "ok" else _interrupted(job))


@contextmanager
def _given(executor: Executor):
    yield executor
