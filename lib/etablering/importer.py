"""`etablering data import DIR`: find the published files in a folder, parse, validate, store.

Raw files are only read, never changed or copied into the project. Rows that `data fetch` got
from Kolada are kept across re-imports.
"""

from pathlib import Path

import pandas as pd

from . import store
from .errors import EtableringError, MissingDataError, ParseError
from .parse import kolada_meta, migrationsverket, scb, transcribed
from .parse.sheet import sha256
from .registry import Registry

# table -> glob patterns (searched recursively); tidy derivatives (*_tidy.csv) are never used.
PATTERNS = {
    "areas": ["*kommunlankod*.xlsx"],
    "kommuntal": ["Anvisningar*kommuntal*.csv", "Anvisningar*kommuntal*.xlsx"],
    "kommunmottagna": [
        "Kommunmottagna*ers*ttningsf*rordning*.csv",
        "Kommunmottagna*ers*ttningsf*rordning*.xlsx",
    ],
    "population": ["population*.csv", "population*.xlsx"],
    "lanstal": ["lanstal*.csv"],
    "kpi_values": ["*_N[0-9][0-9][0-9][0-9][0-9]_*.csv"],
    "kpi_catalogue": ["kolada_kpi_catalogue*.csv"],
    "area_groups": ["kolada_municipality_groups_members*.csv"],
}
REQUIRED = ("areas",)
FETCHED_PREFIX = (
    "Kolada"  # rows from `data fetch`; transcribed rows say "Kolada via ... (transkriberad)"
)


def find_files(raw_dir: Path) -> dict[str, list[Path]]:
    found = {}
    for table, patterns in PATTERNS.items():
        files = {p for pattern in patterns for p in raw_dir.rglob(pattern) if "_tidy" not in p.name}
        found[table] = sorted(files)
    return found


def import_dir(raw_dir: Path, data_dir=None, log=print) -> dict[str, int]:
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise EtableringError(f"Mappen {raw_dir} finns inte.")
    files = find_files(raw_dir)
    for table in REQUIRED:
        if not files[table]:
            raise MissingDataError(
                f"Hittade ingen SCB-kodlista ('Län och kommuner', *kommunlankod*.xlsx) i {raw_dir}.",
                "Den behövs för att känna igen kommunerna.",
            )
    areas = scb.parse_code_list(files["areas"][0])
    registry = Registry(areas)
    tables: dict[str, pd.DataFrame] = {"areas": areas}
    sources = {"areas": [_source(files["areas"][0], len(areas))]}

    parsers = {
        "kommuntal": lambda p: migrationsverket.parse_kommuntal(p, registry),
        "kommunmottagna": lambda p: migrationsverket.parse_kommunmottagna(p, registry),
        "population": scb.parse_population,
        "lanstal": transcribed.parse_lanstal,
        "kpi_values": transcribed.parse_kpi_series,
        "kpi_catalogue": kolada_meta.parse_catalogue,
        "area_groups": kolada_meta.parse_groups,
    }
    for table, parse in parsers.items():
        parts = []
        for path in files[table]:
            frame = parse(path)
            parts.append(frame)
            sources.setdefault(table, []).append(_source(path, len(frame)))
            log(f"  {path.relative_to(raw_dir)}: {len(frame)} rader → {table}")
        if parts:
            tables[table] = _combine(table, parts, files[table])
    _keep_fetched(tables, data_dir)
    store.write_all(tables, sources, data_dir)
    return {name: len(frame) for name, frame in tables.items()}


def _source(path: Path, rows: int) -> dict:
    return {"path": str(path), "sha256": sha256(path), "rows": rows}


def _combine(table: str, parts: list[pd.DataFrame], paths: list[Path]) -> pd.DataFrame:
    frame = pd.concat(parts, ignore_index=True)
    if table == "population":
        # Several SCB exports may cover the same year: they must agree.
        conflicts = frame.groupby(["area_code", "year"])["population"].nunique()
        if (conflicts > 1).any():
            code, year = conflicts[conflicts > 1].index[0]
            raise ParseError(
                paths[0], f"folkmängden för {code} år {year} skiljer sig mellan filerna"
            )
        frame = frame.groupby(["area_code", "year"], as_index=False).agg(
            population=("population", "first"),
            source=("source", lambda s: "; ".join(sorted(set(s)))),
        )
    key = store.SCHEMAS[table].unique
    if key:
        dup = frame.duplicated(key)
        if dup.any():
            raise ParseError(
                paths[0],
                f"samma uppgift finns i flera filer: {frame.loc[dup, key].iloc[0].to_dict()}",
            )
    return frame


def _keep_fetched(tables: dict[str, pd.DataFrame], data_dir) -> None:
    """Carry over rows no raw file holds: fetched from Kolada, or written by `data demo`."""
    for table, key in (("kpi_values", None), ("population", ["area_code", "year"])):
        if not store.has_table(table, data_dir):
            continue
        old = store.read_table(table, data_dir)
        fetched = old[
            (
                old["source"].str.startswith(FETCHED_PREFIX)
                & ~old["source"].str.contains("transkriberad")
            )
            | old["source"].str.startswith("SYNTETISKA DATA")
        ]
        if fetched.empty:
            continue
        new = tables.get(table)
        if new is not None and key:
            fetched = fetched[~fetched.set_index(key).index.isin(new.set_index(key).index)]
        tables[table] = pd.concat([x for x in (new, fetched) if x is not None], ignore_index=True)
