"""`etablering data import [DIR]`: find the published files in a folder, parse, validate, store.

Without DIR the project's own snapshot `data/raw/` is read. Raw files are only read, never
changed. An import adds to what is there: each table's rows are replaced only where the new
files hold the same thing again (the same year of a Migrationsverket sheet, the same KPI and
area from the same origin, …), so a folder with one new file adds that file, and rows that
`data fetch` or `data demo` wrote stay. KPI values are validated (validate.py) on every import;
rows that break an identity go to `kpi_flags`.
"""

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from . import kpi_store, paths, store
from .errors import EtableringError, MissingDataError, ParseError
from .origin import Origin
from .parse import ddf, kolada_meta, migrationsverket, scb, transcribed
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
    "population": ["population*.xlsx"],
    "lanstal": ["lanstal*.csv"],
    "kpi_series": ["*_N[0-9][0-9][0-9][0-9][0-9]_*transcribed*.csv"],
    "kolada_meta": ["*sysdata*.rda"],
}
# What an imported file replaces in its table: rows with the same values in these columns.
REPLACES = {
    "kommuntal": ["year"],
    "kommunmottagna": ["year"],
    "population": ["year", "origin"],
    "lanstal": ["year", "version"],
    "kpi_values": ["kpi", "area_code", "origin"],
    "kpi_catalogue": ["catalogue"],
    "area_groups": [],
}
MAX_FILE_BYTES = 200 * 1024 * 1024  # the largest published file we read is 3,6 MB


def find_files(raw_dir: Path) -> dict[str, list[Path]]:
    found = {}
    for table, patterns in PATTERNS.items():
        files = {p for pattern in patterns for p in raw_dir.rglob(pattern) if "_tidy" not in p.name}
        found[table] = sorted(files)
    for path in (p for group in found.values() for p in group):
        _check_file(path)
    return found


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise ParseError(path, "är ingen vanlig fil (en trasig länk eller en enhet?)")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ParseError(
            path, f"är {size / 1e6:.0f} MB; ingen publicerad fil vi läser är över 200 MB"
        )


def default_raw_dir() -> Path:
    return paths.raw_dir()


def import_dir(raw_dir: Path | None = None, data_dir=None, log=print) -> dict[str, int]:
    raw_dir = Path(raw_dir) if raw_dir is not None else default_raw_dir()
    if not raw_dir.is_dir():
        raise EtableringError(f"Mappen {raw_dir} finns inte.")
    files = find_files(raw_dir)
    datasets = ddf.find_datasets(raw_dir)
    for path in (d / ddf.CONCEPTS for d in datasets):
        _check_file(path)
    if not any(files.values()) and not datasets:
        raise MissingDataError(f"Hittade inga kända filer i {raw_dir}.", _KNOWN_FILES)

    new: dict[str, list[pd.DataFrame]] = {}
    sources: dict[str, list[dict]] = {}

    def add(table: str, frame: pd.DataFrame, path: Path) -> None:
        new.setdefault(table, []).append(frame)
        sources.setdefault(table, []).append(_source(path, len(frame), raw_dir))
        log(f"  {_shown(path, raw_dir)}: {len(frame)} rader → {table}")

    areas = _areas(files["areas"], data_dir)
    if files["areas"]:
        add("areas", areas, files["areas"][0])
    registry = Registry(areas)
    for path in files["kommuntal"]:
        add("kommuntal", migrationsverket.parse_kommuntal(path, registry), path)
    for path in files["kommunmottagna"]:
        add("kommunmottagna", migrationsverket.parse_kommunmottagna(path, registry), path)
    for path in files["population"]:
        add("population", scb.parse_population(path).assign(origin=Origin.SCB_FILE.value), path)
    for path in files["lanstal"]:
        add("lanstal", transcribed.parse_lanstal(path), path)
    for path in files["kpi_series"]:
        add("kpi_values", transcribed.parse_kpi_series(path), path)
    for path in files["kolada_meta"]:
        parsed = _cached(
            [path, Path(kolada_meta.__file__)],
            "rkolada",
            lambda p=path: dict(
                zip(("catalogue", "groups"), kolada_meta.parse_sysdata(p), strict=True)
            ),
        )
        catalogue, groups = parsed["catalogue"], parsed["groups"]
        add("kpi_catalogue", catalogue, path)
        add("area_groups", groups, path)
    parse_flags = []
    for root in datasets:
        dataset = _ddf(root, set(areas["code"]), raw_dir)
        add("kpi_catalogue", dataset.catalogue, root / ddf.CONCEPTS)
        new.setdefault("kpi_values", []).append(dataset.values)
        sources.setdefault("kpi_values", []).append(
            {
                "path": _shown(root, raw_dir),
                "files": len(dataset.files),
                "rows": len(dataset.values),
            }
        )
        log(
            f"  {_shown(root, raw_dir)}/: {len(dataset.files)} DDF-filer, "
            f"{len(dataset.values)} värden → kpi_values"
        )
        parse_flags.append(dataset.flags)

    tables = {name: _combine(name, parts, sources[name]) for name, parts in new.items()}
    kpi_rows = tables.pop("kpi_values", None)
    tables = {name: _merge(name, frame, data_dir) for name, frame in tables.items()}
    if kpi_rows is not None:
        population = tables.get("population")
        if population is None and store.has_table("population", data_dir):
            population = store.read_table("population", data_dir)
        tables["kpi_values"], tables["kpi_flags"] = kpi_store.merged(
            kpi_rows, REPLACES["kpi_values"], areas, population, data_dir, parse_flags
        )
        sources["kpi_flags"] = [{"rule": "validate.py", "rows": len(tables["kpi_flags"])}]
    store.write_all(tables, sources, data_dir)
    return {name: len(frame) for name, frame in tables.items()}


_KNOWN_FILES = (
    "Kända filer: SCB:s kodlista (*kommunlankod*.xlsx), Migrationsverkets 'Anvisningar enligt "
    "kommuntalen <år>' och 'Kommunmottagna enligt ersättningsförordningen <år>', SCB:s "
    "folkmängd (population*.xlsx), länstal (lanstal*.csv), Koladas DDF-uttag "
    "(ddf--concepts.csv med ddf--datapoints--*.csv) och rKoladas sysdata.rda."
)


def _ddf(root: Path, known: set[str], raw_dir: Path) -> ddf.Dataset:
    files = sorted(root.rglob("ddf--*.csv"))
    name = f"ddf {_shown(root, raw_dir)} {' '.join(sorted(known))}"

    def parse() -> dict[str, pd.DataFrame]:
        dataset = ddf.parse_dataset(root, known, relative_to=raw_dir)
        return {"values": dataset.values, "flags": dataset.flags, "catalogue": dataset.catalogue}

    parsed = _cached([*files, Path(ddf.__file__)], name, parse)
    points = [p for p in files if p.name.startswith("ddf--datapoints--")]
    return ddf.Dataset(parsed["values"], parsed["flags"], parsed["catalogue"], points)


def _cached(inputs: list[Path], name: str, parse) -> dict[str, pd.DataFrame]:
    """What `parse` returns for these input files, from the cache when nothing changed.

    Keyed by the bytes of the inputs and of the parser's own code, so a changed file or parser
    is parsed again. Re-importing the unchanged snapshot then takes a second instead of ten
    (rdata spends most of that decoding the R file)."""
    digest = hashlib.sha256(name.encode())
    for path in [*inputs, Path(__file__)]:
        digest.update(Path(path).read_bytes())
    folder = paths.cache_dir() / "parsed" / digest.hexdigest()[:24]
    if (folder / "done").exists():
        return {p.stem: pd.read_parquet(p) for p in folder.glob("*.parquet")}
    frames = parse()
    staging = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        for key, frame in frames.items():
            frame.to_parquet(staging / f"{key}.parquet", index=False)
        (staging / "done").touch()
        os.replace(staging, folder)
    except OSError:  # a read-only or full cache only costs time, never the import
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return frames


def _shown(path: Path, raw_dir: Path) -> str:
    try:
        return str(path.relative_to(raw_dir))
    except ValueError:
        return str(path)


def _source(path: Path, rows: int, raw_dir: Path) -> dict:
    return {"path": _shown(path, raw_dir), "sha256": sha256(path), "rows": rows}


def _areas(found: list[Path], data_dir) -> pd.DataFrame:
    if found:
        return scb.parse_code_list(found[0])
    if store.has_table("areas", data_dir):
        return store.read_table("areas", data_dir)
    raise MissingDataError(
        "Hittade ingen SCB-kodlista ('Län och kommuner', *kommunlankod*.xlsx) och ingen "
        "kommunlista är importerad.",
        "Importera först projektets ögonblicksbild: `etablering data import`.",
    )


def _combine(table: str, parts: list[pd.DataFrame], sources: list[dict]) -> pd.DataFrame:
    """The files of one import together; two files holding the same thing are refused."""
    frame = pd.concat(parts, ignore_index=True)
    by = REPLACES.get(table)
    if by and len(parts) > 1:
        seen: dict[tuple, str] = {}
        for part, source in zip(parts, sources, strict=True):
            for key in part[by].drop_duplicates().itertuples(index=False):
                if tuple(key) in seen and seen[tuple(key)] != source["path"]:
                    what = ", ".join(f"{c} {v}" for c, v in zip(by, key, strict=True))
                    raise ParseError(
                        source["path"],
                        f"samma uppgifter ({what}) finns redan i {seen[tuple(key)]}; "
                        "importera bara en fil per år och källa",
                    )
                seen[tuple(key)] = source["path"]
    key = store.SCHEMAS[table].unique
    if key:
        dup = frame.duplicated(key)
        if dup.any():
            raise ParseError(
                sources[0]["path"],
                f"samma uppgift finns två gånger: {frame.loc[dup, key].iloc[0].to_dict()}",
            )
    return frame


def _merge(table: str, frame: pd.DataFrame, data_dir) -> pd.DataFrame:
    """The imported rows, plus the stored rows they do not replace."""
    if table not in REPLACES or not store.has_table(table, data_dir):
        return frame
    by = REPLACES[table]
    if not by:
        return frame
    old = store.read_table(table, data_dir)
    replaced = old.set_index(by).index.isin(frame.set_index(by).index)
    return pd.concat([old[~replaced], frame], ignore_index=True)
