"""`etablering data status`: what is available per table and KPI, and every flagged row."""

import pandas as pd

from ..core import paths
from ..core.errors import MissingDataError
from . import kpis, store
from .origin import describe

YEAR_TABLES = {
    "kommuntal": "kommun_code",
    "kommunmottagna": "kommun_code",
    "population": "area_code",
    "lanstal": "lan_code",
}


def _years(years) -> str:
    years = sorted(set(int(y) for y in years))
    if not years:
        return "–"
    if years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    return ", ".join(map(str, years))


def status_lines(data_dir=None) -> list[str]:
    manifest = store.read_manifest(data_dir)
    if not manifest["tables"]:
        raise MissingDataError(
            f"Inga importerade tabeller i {data_dir or paths.processed_dir()}.", store.IMPORT_HINT
        )
    lines = [
        f"Underlag i {data_dir or paths.processed_dir()} (dataversion {store.data_version(data_dir)})",
        "",
        "Tabeller:",
    ]
    for name, entry in sorted(manifest["tables"].items()):
        line = f"- {name}: {entry['rows']} rader, skrivet {entry['written']}"
        if name in YEAR_TABLES:
            frame = store.read_table(name, data_dir)
            per_year = frame.groupby("year")[YEAR_TABLES[name]].nunique()
            line += "; områden per år: " + ", ".join(f"{y}: {n}" for y, n in per_year.items())
        lines.append(line)
    missing = [t for t in store.SCHEMAS if t not in manifest["tables"]]
    if missing:
        lines.append(f"Saknas: {', '.join(missing)}.")
    if store.has_table("kpi_values", data_dir):
        flags = (
            store.read_table("kpi_flags", data_dir)
            if store.has_table("kpi_flags", data_dir)
            else None
        )
        lines += ["", *kpi_lines(store.read_table("kpi_values", data_dir), flags)]
        if flags is not None:
            lines += ["", *flag_lines(flags)]
    return lines


def kpi_summary(kpi_values: pd.DataFrame, flags: pd.DataFrame | None) -> pd.DataFrame:
    """One row per KPI and origin: years, areas with values by kind, genders, flagged rows."""
    kv = kpi_values[kpi_values["value"].notna()]
    kind = pd.Series("kommun", index=kv.index)
    kind[kv["area_code"].str.startswith("00")] = "län"
    kind[kv["area_code"] == "0000"] = "riket"
    kv = kv.assign(kind=kind)
    rows = []
    for (kpi, origin), part in kv.groupby(["kpi", "origin"]):
        kommuner = part[part["kind"] == "kommun"]
        per_year = kommuner.groupby("year")["area_code"].nunique()
        n_flags = (
            0 if flags is None else int(((flags["kpi"] == kpi) & (flags["origin"] == origin)).sum())
        )
        retrieved = part["retrieved"].astype(str).str[:10].max()
        rows.append(
            {
                "kpi": kpi,
                "title": kpis.CATALOGUE[kpi].title if kpi in kpis.CATALOGUE else "",
                "origin": describe(origin, retrieved),
                "years": _years(part["year"]),
                "kommuner": kommuner["area_code"].nunique(),
                "per_year": f"{per_year.min()}–{per_year.max()}" if len(per_year) else "–",
                "lan": part.loc[part["kind"] == "län", "area_code"].nunique(),
                "riket": "ja" if (part["kind"] == "riket").any() else "nej",
                "genders": "/".join(g for g in ("T", "K", "M") if (part["gender"] == g).any()),
                "flagged": n_flags,
            }
        )
    return pd.DataFrame(rows)


def kpi_lines(kpi_values: pd.DataFrame, flags: pd.DataFrame | None) -> list[str]:
    summary = kpi_summary(kpi_values, flags)
    lines = [
        "Nyckeltal (kpi_values): år, kommuner med värde (totalt och per år), län, riket, kön, "
        "ursprung, flaggade rader"
    ]
    for r in summary.itertuples():
        lines.append(
            f"  {r.kpi}  {r.years:<11} kommuner {r.kommuner:>3} ({r.per_year:>7} per år)  "
            f"län {r.lan:>2}  riket {r.riket:<3}  {r.genders:<5}  {r.origin}"
            + (f"  FLAGGADE {r.flagged}" if r.flagged else "")
            + f"  – {r.title}"
        )
    return lines


def flag_lines(flags: pd.DataFrame) -> list[str]:
    if flags.empty:
        return ["Flaggade rader: inga. Alla kontroller i validate.py gick igenom."]
    lines = [
        f"Flaggade rader: {len(flags)}. De används inte i någon rapport eller modell "
        "(regel: område år kön värde – förklaring; fil)."
    ]
    for (rule, kpi), part in flags.groupby(["rule", "kpi"], sort=True):
        lines.append(f"  {kpi}, {rule} ({len(part)} rader):")
        for r in part.sort_values(["area_code", "year", "gender"]).itertuples():
            value = "–" if pd.isna(r.value) else f"{r.value:g}".replace(".", ",")
            where = r.source_file + (f", rad {int(r.line)}" if pd.notna(r.line) else "")
            lines.append(f"    {r.area_code} {r.year} {r.gender} {value} – {r.detail}; {where}")
    return lines
