"""Rendering many kommuner: a process pool (or a Dask cluster), one progress bar, a manifest per
run, continue past failures, --resume, and a lock so two batches never share an output folder."""

import json
import multiprocessing
import multiprocessing.util
import os
import shutil
import socket
import time
import uuid
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tqdm import tqdm

from . import __version__, kernels, site
from .errors import EtableringError
from .render import WORK, RenderResult, job_key, notebook_hash, parameter_names, render

LOCK = ".etablering.lock"


class OutputLockedError(EtableringError):
    pass


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


def up_to_date(job: Job, out_dir: Path) -> bool:
    kommun_dir = out_dir / job.area.slug
    stem = f"{job.notebook}-demo" if job.parameters.get("demo") else job.notebook
    meta = site.read_meta(kommun_dir, stem)
    return meta.get("key") == job.key and (kommun_dir / f"{stem}.html").exists()


@contextmanager
def output_lock(out_dir: Path):
    """Refuse a second batch on the same folder; a lock left by a killed batch is taken over."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            holder = _read_lock(path)
            if holder and _alive(holder.get("pid")) and holder.get("host") == socket.gethostname():
                raise OutputLockedError(
                    f"En annan körning (pid {holder['pid']}, startad {holder.get('started')}) "
                    f"skriver redan till {out_dir}. Vänta tills den är klar eller välj en annan --out."
                ) from None
            path.unlink(missing_ok=True)  # stale: its process is gone
    else:
        raise OutputLockedError(f"Kunde inte låsa {out_dir}.")
    with os.fdopen(fd, "w") as handle:
        json.dump(
            {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started": datetime.now().isoformat(timespec="seconds"),
            },
            handle,
        )
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _read_lock(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except (TypeError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _worker_init() -> None:
    # multiprocessing children leave through os._exit, so atexit never runs: finalize instead.
    multiprocessing.util.Finalize(None, kernels._shutdown_all, exitpriority=10)


def execute_job(job: Job, out_dir: str, data_version: str, timeout: int) -> dict:
    """Runs in a worker process (or on a Dask worker)."""
    try:
        result = render(job.area, job.notebook, out_dir, job.parameters, data_version, timeout)
    except Exception as exc:  # an error outside the notebook (disk full, ...) fails one job only
        return _failed(job, exc)
    return result.as_dict()


def _failed(job: Job, exc: BaseException) -> dict:
    return RenderResult(
        job.area.code,
        job.area.name,
        job.notebook,
        "failed",
        0.0,
        job.key,
        error=f"{type(exc).__name__}: {exc}",
    ).as_dict()


@contextmanager
def make_executor(workers: int, scheduler: str | None):
    if scheduler:
        from distributed import Client  # optional: only for --scheduler

        with Client(scheduler) as client:
            yield client.get_executor()
    else:
        context = multiprocessing.get_context("spawn")  # no inherited locks or threads
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init) as pool:
            yield pool


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
) -> dict:
    """Render every job; returns the run manifest (also written to <out>/runs/<run-id>.json)."""
    out_dir = Path(out_dir)
    run_id = datetime.now().strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]
    started = time.perf_counter()
    with output_lock(out_dir):
        shutil.rmtree(out_dir / WORK, ignore_errors=True)  # partial runs of a killed batch
        for tmp in out_dir.rglob(".*.tmp"):
            tmp.unlink(missing_ok=True)
        skipped = [j for j in jobs if resume and up_to_date(j, out_dir)]
        todo = [j for j in jobs if j not in skipped]
        results = [
            RenderResult(j.area.code, j.area.name, j.notebook, "skipped", 0.0, j.key).as_dict()
            for j in skipped
        ]
        if todo:
            with _given(executor) if executor else make_executor(workers, scheduler) as pool:
                futures = {
                    pool.submit(execute_job, j, str(out_dir), data_version, timeout): j
                    for j in todo
                }
                bar = tqdm(
                    as_completed(futures),
                    total=len(todo),
                    desc="Rapporter",
                    unit="rapport",
                    disable=not progress,
                )
                for future in bar:
                    job = futures[future]
                    try:
                        results.append(future.result())
                    except Exception as exc:  # the worker process itself died
                        results.append(_failed(job, exc))
        manifest = {
            "run_id": run_id,
            "created": datetime.now().isoformat(timespec="seconds"),
            "etablering_version": __version__,
            "data_version": data_version,
            "notebooks": {nb: notebook_hash(nb) for nb in sorted({j.notebook for j in jobs})},
            "parameters": jobs[0].parameters if jobs else {},
            "executor": scheduler or f"process pool ({workers})",
            "duration_s": round(time.perf_counter() - started, 2),
            "results": sorted(results, key=lambda r: (r["kommun"], r["notebook"])),
        }
        site.write_atomic(
            out_dir / "runs" / f"{run_id}.json", json.dumps(manifest, ensure_ascii=False, indent=2)
        )
        site.write_atomic(
            out_dir / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2)
        )
    return manifest


@contextmanager
def _given(executor: Executor):
    yield executor
