"""`etablering data status`: what is available per table, area and year."""

import pandas as pd

from . import paths, store
from .errors import MissingDataError

YEAR_TABLES = {
    "kommuntal": "kommun_code",
    "kommunmottagna": "kommun_code",
    "population": "area_code",
    "lanstal": "lan_code",
}


def _years(frame: pd.DataFrame) -> str:
    years = sorted(frame["year"].unique())
    return (
        ", ".join(map(str, years))
        if len(years) <= 8
        else f"{years[0]}–{years[-1]} ({len(years)} år)"
    )


def status_lines(data_dir=None) -> list[str]:
    manifest = store.read_manifest(data_dir)
    if not manifest["tables"]:
        raise MissingDataError(
            f"Inga importerade tabeller i {data_dir or paths.processed_dir()}.", store.IMPORT_HINT
        )
    lines = [
        f"Underlag i {data_dir or paths.processed_dir()} (dataversion {store.data_version(data_dir)})"
    ]
    for name, entry in sorted(manifest["tables"].items()):
        frame = store.read_table(name, data_dir)
        line = f"- {name}: {entry['rows']} rader, skrivet {entry['written']}"
        if name in YEAR_TABLES:
            per_year = frame.groupby("year")[YEAR_TABLES[name]].nunique()
            line += "; områden per år: " + ", ".join(f"{y}: {n}" for y, n in per_year.items())
        lines.append(line)
        if name == "kpi_values":
            for (kpi, source), part in frame.groupby(["kpi", "source"]):
                lines.append(
                    f"    {kpi} ({source[:40]}): {part['area_code'].nunique()} områden, år {_years(part)}"
                )
    missing = [t for t in store.SCHEMAS if t not in manifest["tables"]]
    if missing:
        lines.append(f"Saknas: {', '.join(missing)}.")
    return lines
