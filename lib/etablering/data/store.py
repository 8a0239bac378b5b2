"""The processed tables on disk: parquet files plus manifest.json, written atomically.

A full import builds a new directory beside the old one and swaps it in only when every table
validated, so a failed import leaves the previous tables readable. Single-table updates
(`data fetch`) write temporary files and rename them (core/files.py).
"""

import functools
import hashlib
import json
import shutil
import weakref
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pandera.errors

from ..core import files, paths
from ..core.errors import EtableringError, MissingDataError
from .schemas import SCHEMAS

MANIFEST = "manifest.json"
IMPORT_HINT = "Kör `etablering data import` (offline, från ögonblicksbilden) eller `make data`."


def _dir(data_dir) -> Path:
    return Path(data_dir) if data_dir else paths.processed_dir()


def validate(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    try:
        return SCHEMAS[name].validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        raise EtableringError(
            f"Tabellen {name!r} klarar inte sin kontroll: {_failures(exc.failure_cases)}"
        ) from None


def _failures(cases: pd.DataFrame, shown: int = 5) -> str:
    """pandera's failure cases as words: column, value and check (not pandera's 0-based row
    index, which matches no line of any file)."""
    parts = []
    unique = cases[cases["check"].astype(str) == "multiple_fields_uniqueness"]
    if len(unique):
        fields = list(dict.fromkeys(unique["column"].astype(str)))
        values = unique.groupby("index", sort=False)["failure_case"].apply(
            lambda v: ", ".join(map(str, v))
        )
        parts.append(
            f"samma uppgift ({', '.join(fields)}) finns flera gånger: "
            + "; ".join(dict.fromkeys(values.head(shown)))
        )
        cases = cases.drop(index=unique.index)
    for case in cases.head(shown).itertuples(index=False):
        column = getattr(case, "column", None)
        what = f"kolumnen {column!r}" if isinstance(column, str) and column else "tabellen"
        parts.append(f"{what}: {case.failure_case!r} klarar inte {case.check}")
    more = f" (och {len(cases) - shown} till)" if len(cases) > shown else ""
    return "; ".join(parts) + more


def read_table(name: str, data_dir=None) -> pd.DataFrame:
    path = _dir(data_dir) / f"{name}.parquet"
    if not path.exists():
        raise MissingDataError(f"Tabellen {name!r} finns inte i {path.parent}.", IMPORT_HINT)
    stat = path.stat()
    # A warm kernel renders many kommuner from the same files: read and validate each once.
    # A shallow copy is enough under pandas' copy-on-write: a caller that changes its frame
    # changes its own copy, never the cached one (a deep copy of kpi_values cost 0.1 s/report).
    key = ("table", name, str(path), stat.st_mtime_ns, stat.st_size)
    return remember(_read_validated(*key[1:]).copy(deep=False), key)


@functools.lru_cache(maxsize=32)
def _read_validated(name: str, path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    return validate(name, pd.read_parquet(path))


# --- where a frame came from: what analysis.cache keys its per-kernel results on ---------------

_ORIGINS: dict[int, tuple[weakref.ref, tuple]] = {}


def remember(frame, key: tuple):
    """Record that `frame` is exactly what `key` names (a table file, or a result computed
    from such frames); returns `frame`. Forgotten when the frame is collected."""
    ident = id(frame)
    _ORIGINS[ident] = (weakref.ref(frame, lambda _ref: _forget(ident, _ref)), key)
    return frame


def _forget(ident: int, ref: weakref.ref) -> None:
    entry = _ORIGINS.get(ident)
    if entry is not None and entry[0] is ref:
        del _ORIGINS[ident]


def origin(frame) -> tuple | None:
    """The key `frame` was remembered with, or None (a frame built or filtered elsewhere)."""
    entry = _ORIGINS.get(id(frame))
    if entry is None or entry[0]() is not frame:
        return None
    return entry[1]


def has_table(name: str, data_dir=None) -> bool:
    return (_dir(data_dir) / f"{name}.parquet").exists()


def read_manifest(data_dir=None) -> dict:
    path = _dir(data_dir) / MANIFEST
    if not path.exists():
        return {"tables": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def data_version(data_dir=None) -> str:
    """A short hash of what the tables were built from; reports and run manifests record it."""
    tables = read_manifest(data_dir)["tables"]
    digest = hashlib.sha256(
        json.dumps(
            {k: v.get("content_sha256") for k, v in sorted(tables.items())}, sort_keys=True
        ).encode()
    )
    return digest.hexdigest()[:12]


def _entry(frame: pd.DataFrame, sources: list[dict], path: Path) -> dict:
    return {
        "rows": int(len(frame)),
        "sources": sources,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
        "content_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }


def _write_parquet(name: str, frame: pd.DataFrame, path: Path) -> None:
    frame = validate(name, frame.reset_index(drop=True))
    frame.to_parquet(path, index=False)


def write_all(
    tables: dict[str, pd.DataFrame], sources: dict[str, list[dict]], data_dir=None
) -> Path:
    """Replace the processed directory with `tables`, keeping tables the import does not make."""
    target = _dir(data_dir)
    old_manifest = read_manifest(target)

    def fill(staging: Path) -> None:
        manifest = {"tables": {}}
        for name, frame in tables.items():
            path = staging / f"{name}.parquet"
            _write_parquet(name, frame, path)
            manifest["tables"][name] = _entry(frame, sources.get(name, []), path)
        for name, entry in old_manifest["tables"].items():
            if name not in tables and (target / f"{name}.parquet").exists():
                shutil.copy2(target / f"{name}.parquet", staging / f"{name}.parquet")
                manifest["tables"][name] = entry
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))

    files.write_folder(target, fill, replace=True, prefix=".processed-new-")
    return target


def write_table(name: str, frame: pd.DataFrame, sources: list[dict], data_dir=None) -> None:
    """Replace one table (and its manifest entry) atomically."""
    write_tables({name: frame}, {name: sources}, data_dir)


def write_tables(
    tables: dict[str, pd.DataFrame], sources: dict[str, list[dict]], data_dir=None
) -> None:
    """Replace some tables: all are validated and written to temporary files first, then moved
    in, and the manifest last, so a failure leaves every table as it was."""
    target = _dir(data_dir)
    target.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(target)

    def writer(name: str, frame: pd.DataFrame):
        def write(tmp: Path) -> None:
            _write_parquet(name, frame, tmp)
            manifest["tables"][name] = _entry(frame, sources.get(name, []), tmp)

        return write

    files.replace_all(
        {target / f"{name}.parquet": writer(name, frame) for name, frame in tables.items()}
    )
    files.write_atomic(target / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
