"""Where the project keeps its data. The processed tables, the cache and the notebooks can be
moved with an environment variable (tests and batch workers use that); the snapshot is the
project's own `data/raw/`."""

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
# lib/etablering/ -> project root (editable install, the supported way to run the project)
PROJECT_ROOT = PACKAGE_DIR.parents[1]


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def processed_dir() -> Path:
    """Tidy parquet tables written by `etablering data import` / `data fetch`."""
    return _env_path("ETABLERING_DATA", PROJECT_ROOT / "data" / "processed")


def cache_dir() -> Path:
    return _env_path("ETABLERING_CACHE", PROJECT_ROOT / "data" / "cache")


def raw_dir() -> Path:
    """The offline snapshot committed with the project (see data/README.md)."""
    return PROJECT_ROOT / "data" / "raw"


def notebooks_dir() -> Path:
    return _env_path("ETABLERING_NOTEBOOKS", PROJECT_ROOT / "notebooks")


def parameters_dir() -> Path:
    return PROJECT_ROOT / "parameters"
