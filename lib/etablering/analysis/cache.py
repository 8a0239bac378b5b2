"""Cross-kommun results computed once per data version and reused by every kommun's report.

The batch runner computes them before it fans out; a notebook run alone computes them on first
use. Stored under the cache folder, keyed by the data version, written atomically.

`shared` keeps lighter results (a panel over all kommuner, riket's series) in the process: a
warm kernel renders hundreds of reports from the same tables and computes each once.
"""

import functools
import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..core import files, paths
from ..core.errors import MissingDataError
from ..data import kpis, store
from . import expected, outcomes

# the share KPIs a report sums over kommuner (a län's figures, the funnel, kommuner side by side)
COUNT_KPIS = (
    kpis.WORK_OR_STUDIES,
    kpis.WORK,
    kpis.PROGRAMME,
    kpis.EDU_PRIMARY,
    kpis.EDU_SECONDARY,
    kpis.EDU_TERTIARY,
    kpis.EDU_NONE,
)
COUNTS_VERSION = 1  # raise when kommun_counts changes what it returns
_TABLES = ("predictions", "coefficients", "variance", "effects", "validation")


@dataclass(frozen=True)
class ExpectedTables:
    """What the reports need of the expected-value model (the statsmodels objects stay out).

    predictions: every kommun-year-gender (expected.predict); coefficients: both genders' terms;
    variance: tau, sigma per gender; effects: each kommun's pooled effect and rank;
    validation: the out-of-sample coverage table; info: fitted years, test years, timings.
    """

    predictions: pd.DataFrame
    coefficients: pd.DataFrame
    variance: pd.DataFrame
    effects: pd.DataFrame
    validation: pd.DataFrame
    info: dict

    @property
    def table(self) -> pd.DataFrame:
        return self.predictions


_SHARED: OrderedDict = OrderedDict()
_SHARED_MAX = 64  # a few data versions' worth; one report uses about a dozen


def shared(fn, *args):
    """`fn(*args)`, computed once per process for the same inputs. A frame argument counts as
    the same when store.origin knows it: a table as read (file and its modification time) or
    a frame an earlier `shared` call returned; any other frame (filtered, built here) is not
    cached and `fn` simply runs. Frames come back as shallow copies (copy-on-write: a caller
    that changes one changes only its own); `fn` must be pure and other results are not to be
    changed in place."""
    parts = []
    for arg in args:
        if isinstance(arg, pd.DataFrame | pd.Series):
            found = store.origin(arg)
            if found is None:
                return fn(*args)
            parts.append(found)
        else:
            parts.append(("value", arg))
    key = (f"{fn.__module__}.{fn.__qualname__}", *parts)
    try:
        result = _SHARED[key]
        _SHARED.move_to_end(key)
    except KeyError:
        result = fn(*args)
        _SHARED[key] = result
        while len(_SHARED) > _SHARED_MAX:
            _SHARED.popitem(last=False)
    except TypeError:  # an argument that cannot be a key (a list): no caching
        return fn(*args)
    if isinstance(result, pd.DataFrame | pd.Series):
        return store.remember(result.copy(deep=False), key)
    return result


def _folder(name: str, data_dir) -> Path:
    return paths.cache_dir() / "derived" / f"{name}-{store.data_version(data_dir)}"


def compute_expected(kpi_values: pd.DataFrame, synthetic: bool = False) -> ExpectedTables:
    """Fit on every year, predict every kommun-year, pool each kommun's effect, and validate
    (fit 2015–2020, predict 2021–2022). Raises MissingDataError when the data cannot carry it."""
    started = time.perf_counter()
    panel = expected.model_panel(kpi_values, synthetic=synthetic)
    model = expected.fit(panel)
    fitted = time.perf_counter()
    predictions = expected.predict(model, panel)
    effects = expected.kommun_effects(model, panel)
    try:
        check = expected.validate(panel)
        validation = check.table
        test_years = list(check.test_years)
        train_years = list(check.train_years)
    except MissingDataError:
        validation = pd.DataFrame(columns=["gender", "size_class", "n", "inside", "coverage"])
        test_years, train_years = [], []
    coefficients = pd.concat([f.coefficients for f in model.fits.values()], ignore_index=True)
    info = {
        "years": list(model.years),
        "train_years": train_years,
        "test_years": test_years,
        "fit_seconds": round(fitted - started, 2),
        "total_seconds": round(time.perf_counter() - started, 2),
    }
    return ExpectedTables(
        predictions, coefficients, model.variance_table(), effects, validation, info
    )


def expected_tables(data_dir=None, synthetic: bool = False) -> ExpectedTables | None:
    """The expected-value model over all kommuner; None when the data cannot support it."""
    folder = _folder(
        f"expected-{expected.MODEL_VERSION}-{'demo' if synthetic else 'real'}", data_dir
    )
    if (folder / "info.json").exists():
        # read once per process; each caller gets its own (shallow, copy-on-write) frames
        read = _read_expected(str(folder))
        frames = [
            store.remember(getattr(read, name).copy(deep=False), ("derived", str(folder), name))
            for name in _TABLES
        ]
        return ExpectedTables(*frames, json.loads(json.dumps(read.info)))
    if (folder / "none").exists():
        return None
    kpi_values = store.read_table("kpi_values", data_dir)
    try:
        tables = compute_expected(kpi_values, synthetic)
    except (MissingDataError, ValueError):
        tables = None
    _save(folder, tables)
    return tables


def kommun_counts(data_dir=None, synthetic: bool = False) -> pd.DataFrame:
    """outcomes.kommun_counts for COUNT_KPIS, all kommuner, cached per data version."""
    folder = _folder(f"counts-{COUNTS_VERSION}-{'demo' if synthetic else 'real'}", data_dir)
    path = folder / "counts.parquet"
    if path.exists():
        return _read_frame(str(path))
    counts = outcomes.kommun_counts(
        store.read_table("kpi_values", data_dir), COUNT_KPIS, synthetic=synthetic
    )
    _write(folder, {"counts": counts})
    return counts


# A folder's name holds its data version and it is replaced whole, never changed: what was read
# once in this process is still what it holds.
@functools.lru_cache(maxsize=8)
def _read_expected(folder: str) -> ExpectedTables:
    path = Path(folder)
    frames = [pd.read_parquet(path / f"{name}.parquet") for name in _TABLES]
    return ExpectedTables(*frames, json.loads((path / "info.json").read_text(encoding="utf-8")))


def _read_frame(path: str) -> pd.DataFrame:
    frame = _read_frame_once(path)
    return store.remember(frame.copy(deep=False), ("derived", path))


@functools.lru_cache(maxsize=8)
def _read_frame_once(path: str) -> pd.DataFrame:
    return pd.read_parquet(path)


def _write(folder: Path, frames: dict[str, pd.DataFrame], extra: dict | None = None) -> None:
    """A cache entry; a worker that finds the entry written meanwhile keeps that one (the
    same data version gives the same result)."""

    def fill(staging: Path) -> None:
        for name, frame in frames.items():
            frame.to_parquet(staging / f"{name}.parquet", index=False)
        if extra is not None:
            (staging / "info.json").write_text(json.dumps(extra), encoding="utf-8")

    files.write_folder(folder, fill, replace=False)


def _save(folder: Path, tables: ExpectedTables | None) -> None:
    if tables is None:
        files.write_folder(folder, lambda staging: (staging / "none").touch(), replace=False)
        return
    _write(folder, {name: getattr(tables, name) for name in _TABLES}, tables.info)
