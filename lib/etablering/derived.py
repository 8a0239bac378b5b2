"""Cross-kommun results computed once per data version and reused by every kommun's report.

The batch runner computes them before it fans out; a notebook run alone computes them on first
use. Stored under the cache folder, keyed by the data version, written atomically.
"""

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import outcomes, paths, store
from .errors import MissingDataError


@dataclass(frozen=True)
class ExpectedTables:
    """What the reports need of outcomes.ExpectedResult (the statsmodels object stays out)."""

    table: pd.DataFrame
    coefficients: pd.DataFrame


def _folder(name: str, data_dir) -> Path:
    return paths.cache_dir() / "derived" / f"{name}-{store.data_version(data_dir)}"


def expected_tables(data_dir=None, synthetic: bool = False) -> ExpectedTables | None:
    """The expected-value model over all kommuner; None when the data cannot support it."""
    folder = _folder(f"expected-{'demo' if synthetic else 'real'}", data_dir)
    if (folder / "table.parquet").exists():
        return ExpectedTables(
            pd.read_parquet(folder / "table.parquet"),
            pd.read_parquet(folder / "coefficients.parquet"),
        )
    if (folder / "none").exists():
        return None
    kpi_values = store.read_table("kpi_values", data_dir)
    try:
        result = outcomes.expected_model(
            outcomes.composition_panel(kpi_values, synthetic=synthetic)
        )
        tables = ExpectedTables(result.table, result.coefficients)
    except (MissingDataError, ValueError):
        tables = None
    _save(folder, tables)
    return tables


def _save(folder: Path, tables: ExpectedTables | None) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
    os.chmod(staging, store.shared_mode())  # shared cache, as the tables
    if tables is None:
        (staging / "none").touch()
    else:
        tables.table.to_parquet(staging / "table.parquet", index=False)
        tables.coefficients.to_parquet(staging / "coefficients.parquet", index=False)
    try:
        os.replace(staging, folder)
    except OSError:  # another worker got there first with the same result
        shutil.rmtree(staging, ignore_errors=True)
