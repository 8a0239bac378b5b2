"""`etablering data import [DIR]`: find the published files in a folder, parse, validate, store.

Without DIR the project's own snapshot `data/raw/` is read. Raw files are only read, never
changed. An import adds to what is there: each table's rows are replaced only where the new
files hold the same thing again (the same year of a Migrationsverket sheet, the same KPI and
area from the same origin, …), so a folder with one new file adds that file, and rows that
`data fetch` or `data demo` wrote stay. KPI values are validated (validate.py) on every import;
rows that break an identity go to `kpi_flags`.
"""

import errno
import hashlib
import os
import stat
from pathlib import Path

import pandas as pd

from ..core import files, paths
from ..core.errors import (
    EtableringError,
    MissingDataError,
    ParseError,
    UsageError,
    describe_os_error,
)
from . import kpi_store, store
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
    """A regular file of at most MAX_FILE_BYTES; a link that leads nowhere, in a circle or to a
    device (/dev/zero would never end) is refused before anything is read."""
    try:
        target = path.stat()
    except OSError as exc:
        if path.is_symlink():
            why = (
                "är en symbolisk länk som pekar i cirkel"
                if exc.errno == errno.ELOOP
                else f"är en symbolisk länk till {os.readlink(path)!r}, som inte finns"
            )
            raise ParseError(path, why) from None
        raise ParseError(
            path, f"kan inte läsas: {describe_os_error(exc, with_path=False)}"
        ) from None
    if not stat.S_ISREG(target.st_mode):
        kind = "en mapp" if stat.S_ISDIR(target.st_mode) else "en enhet, ett rör eller en socket"
        raise ParseError(path, f"är ingen vanlig fil utan {kind}")
    size = target.st_size
    if size > MAX_FILE_BYTES:
        raise ParseError(
            path, f"är {size / 1e6:.0f} MB; ingen publicerad fil vi läser är över 200 MB"
        )


def default_raw_dir() -> Path:
    return paths.raw_dir()


def import_dir(raw_dir: Path | None = None, data_dir=None, log=print) -> dict[str, int]:
    raw_dir = Path(raw_dir) if raw_dir is not None else default_raw_dir()
    if raw_dir.exists() and not raw_dir.is_dir():
        raise UsageError(f"{raw_dir} är en fil, inte en mapp; ange mappen som filerna ligger i.")
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

    _refuse_copies([p for group in files.values() for p in group], raw_dir)
    old_manifest = store.read_manifest(data_dir)

    def add(table: str, frame: pd.DataFrame, path: Path) -> None:
        if table != "kpi_values":  # checked as a whole panel (kpi_store, validate.py)
            _validate_file(table, frame, path)
        source = _source(path, len(frame), raw_dir)
        if table in YEAR_TABLES:
            source["years"] = sorted({int(y) for y in frame["year"]})
            _refuse_reimport_as_other_year(table, source, old_manifest, path)
        new.setdefault(table, []).append(frame)
        sources.setdefault(table, []).append(source)
        log(f"  {_shown(path, raw_dir)}: {len(frame)} rader → {table}")

    areas = _areas(files["areas"], data_dir)
    if files["areas"]:
        add("areas", areas, files["areas"][0])
    registry = Registry(areas)
    for path in files["lanstal"]:
        add("lanstal", transcribed.parse_lanstal(path), path)
    lanstal = _current_lanstal(new.get("lanstal"), data_dir)
    for path in files["kommuntal"]:
        frame = migrationsverket.parse_kommuntal(path, registry)
        _check_kommuntal_year(frame, lanstal, path)
        add("kommuntal", frame, path)
    for path in files["kommunmottagna"]:
        add("kommunmottagna", migrationsverket.parse_kommunmottagna(path, registry), path)
    for path in files["population"]:
        add("population", scb.parse_population(path).assign(origin=Origin.SCB_FILE.value), path)
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


YEAR_TABLES = ("kommuntal", "kommunmottagna")


def _refuse_copies(found: list[Path], raw_dir: Path) -> None:
    """The same bytes under two names (a 2018 file copied as 2019) are refused: one of them is
    not what its name says."""
    seen: dict[str, Path] = {}
    for path in found:
        digest = sha256(path)
        if digest in seen and seen[digest].resolve() != path.resolve():
            raise ParseError(
                path,
                f"är samma fil (byte för byte) som {_shown(seen[digest], raw_dir)}; en av dem "
                "är inte vad namnet säger. Ta bort kopian och importera igen",
            )
        seen[digest] = path


def _refuse_reimport_as_other_year(table: str, source: dict, manifest: dict, path: Path) -> None:
    for old in manifest.get("tables", {}).get(table, {}).get("sources", []):
        if old.get("sha256") == source["sha256"] and old.get("years") not in (
            None,
            source["years"],
        ):
            raise ParseError(
                path,
                f"samma fil är redan importerad som {old.get('path')} för år "
                f"{', '.join(map(str, old['years']))}; nu gäller den "
                f"{', '.join(map(str, source['years']))}. En fil kan bara gälla ett år",
            )


def _current_lanstal(parts: list[pd.DataFrame] | None, data_dir) -> pd.DataFrame | None:
    if parts:
        return pd.concat(parts, ignore_index=True)
    return store.read_table("lanstal", data_dir) if store.has_table("lanstal", data_dir) else None


def _check_kommuntal_year(frame: pd.DataFrame, lanstal: pd.DataFrame | None, path: Path) -> None:
    """Migrationsverket's kommuntal file does not state its year inside; the name does. The
    kommuntal of a län add up to its länstal, so a file whose sums are exactly another year's
    länstal (and not the named year's) was renamed: refused."""
    if lanstal is None or lanstal.empty or frame.empty:
        return
    year = int(frame["year"].iloc[0])
    sums = frame.groupby(frame["kommun_code"].str[:2])["kommuntal"].sum()

    def matches(y: int) -> bool:
        for _, version in lanstal[lanstal["year"] == y].groupby("version"):
            target = version.set_index("lan_code")["lanstal"]
            if set(sums.index) <= set(target.index) and (target[sums.index] == sums).all():
                return True
        return False

    if matches(year):
        return
    other = [y for y in sorted(set(lanstal["year"])) if y != year and matches(y)]
    if other:
        raise ParseError(
            path,
            f"filnamnet säger {year}, men kommuntalen summerar per län exakt till länstalen för "
            f"{other[0]}, inte {year}. Filen gäller troligen {other[0]}: byt namn på den",
        )


def _validate_file(table: str, frame: pd.DataFrame, path: Path) -> None:
    """The table's schema on one file's rows, so a failure names the file."""
    from ..core.errors import EtableringError

    try:
        store.validate(table, frame.reset_index(drop=True))
    except EtableringError as exc:
        raise ParseError(path, str(exc)) from None


_KNOWN_FILES = (
    "Kända filer: SCB:s kodlista (*kommunlankod*.xlsx), Migrationsverkets 'Anvisningar enligt "
    "kommuntalen <år>' och 'Kommunmottagna enligt ersättningsförordningen <år>', SCB:s "
    "folkmängd (population*.xlsx), länstal (lanstal*.csv), Koladas DDF-uttag "
    "(ddf--concepts.csv med ddf--datapoints--*.csv) och rKoladas sysdata.rda."
)


def _ddf(root: Path, known: set[str], raw_dir: Path) -> ddf.Dataset:
    files = sorted(root.rglob("ddf--*.csv"))
    for path in files:  # every datapoint file too: one linked to /dev/zero would never end
        _check_file(path)
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

    def fill(staging: Path) -> None:
        for key, frame in frames.items():
            frame.to_parquet(staging / f"{key}.parquet", index=False)
        (staging / "done").touch()

    try:  # Ctrl-C leaves no half-written entry behind (write_folder removes its staging)
        files.write_folder(folder, fill, replace=False)
    except OSError:  # a read-only or full cache only costs time, never the import
        pass
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
            which = frame.loc[dup, key].iloc[0].to_dict()
            holders = [
                source["path"]
                for part, source in zip(parts, sources, strict=True)
                if (part[key] == pd.Series(which)).all(axis=1).any()
            ]
            where = (
                f"två gånger i samma fil ({holders[0]})"
                if len(holders) == 1
                else f"i flera filer: {', '.join(holders)}"
            )
            raise ParseError(
                holders[0] if holders else sources[0]["path"],
                f"samma uppgift {which} finns {where}",
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
