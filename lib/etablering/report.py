"""`etablering report`: pick kommuner, validate everything, render each notebook, write the index."""

import os
import sys

from . import derived, paths, store
from .batch import plan, run_batch
from .errors import UnknownAreaError, UsageError
from .origin import Origin
from .registry import Registry
from .render import LAN_NOTEBOOKS, NOTEBOOKS
from .site import write_site

EXIT_FAILED, EXIT_USAGE = 1, 2


def select_kommuner(registry: Registry, names: list[str], lan: str | None, everything: bool):
    """All requested kommuner, or UnknownAreaError listing every bad one (nothing is rendered)."""
    chosen, problems = [], []
    for query in names:
        try:
            chosen.append(registry.resolve(query))
        except UnknownAreaError as exc:
            problems.append(str(exc))
    if lan:
        try:
            chosen.extend(registry.kommuner(registry.resolve(lan, kinds=("lan",)).lan_code))
        except UnknownAreaError as exc:
            problems.append(str(exc))
    if everything:
        chosen.extend(registry.kommuner())
    if problems:
        raise UnknownAreaError("\n".join(problems))
    if not chosen:
        raise UnknownAreaError("Ange minst en kommun, --lan NN eller --all.")
    return list(dict.fromkeys(chosen))


def has_demo_data(data_dir=None) -> bool:
    if not store.has_table("kpi_values", data_dir):
        return False
    return bool((store.read_table("kpi_values", data_dir)["origin"] == Origin.SYNTHETIC).any())


RECEPTION = "01-mottagande"


def reception_years(areas, registry: Registry, data_dir=None) -> dict:
    """Years with reception data per area (01-mottagande), from the imported tables."""
    from .reception import years_by_kommun
    from .reception_report import years_for_area

    tables = {n: store.read_table(n, data_dir) for n in ("kpi_values", "kommunmottagna")}
    by_kommun = years_by_kommun(tables["kpi_values"], tables["kommunmottagna"])
    return {area: years_for_area(area, registry, tables, by_kommun) for area in areas}


def default_year(years: list[int]) -> int | None:
    """01-mottagande's default: the latest year with data for the area (None: no data)."""
    return max(years) if years else None


def check_year(year: int | None, years_by_area: dict) -> None:
    """UsageError (exit 2, nothing rendered) naming every area without data for `year`, or
    without any reception data at all, and the years that exist."""
    from .reception import year_problem, year_ranges

    problems = []
    for area, years in years_by_area.items():
        if year is None and years:
            continue
        if year is None:
            problems.append(year_problem(area.name, 0, years))
        elif year not in years:
            have = year_ranges(years) if years else "inga år"
            problems.append(f"{area.code} {area.name}: uppgifter finns för {have}")
    if not problems:
        return
    if year is None:
        raise UsageError("\n".join(problems))
    raise UsageError(
        f"Det finns inga uppgifter om mottagandet år {year} (rapporten 01-mottagande) för:\n  "
        + "\n  ".join(problems)
        + "\nVälj ett av de åren, eller utelämna --year så visas varje områdes senaste år."
    )


def failure_table(failures: list[dict]) -> str:
    """Kommun, report, cell and error in aligned columns (the error cut to one line)."""
    rows = [("Kommun", "Rapport", "Cell", "Fel")]
    for r in failures:
        cell = str(r["cell"]) if r["cell"] is not None else "–"
        rows.append(
            (f"{r['kommun']} {r['name']}", r["notebook"], cell, r["error"].splitlines()[0][:100])
        )
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        "  "
        + "  ".join(value.ljust(width) for value, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    )


def run_report(args) -> int:
    registry = Registry.load()
    areas = select_kommuner(registry, args.kommuner, args.lan, args.all)
    notebooks = args.notebooks or list(NOTEBOOKS)
    unknown = [n for n in notebooks if n not in NOTEBOOKS]
    if unknown:
        raise UnknownAreaError(f"Okänd rapport {unknown}; finns: {', '.join(NOTEBOOKS)}")
    if args.demo and not has_demo_data():
        raise UsageError("Det finns inga demodata. Kör `etablering data demo` först.")
    # the län's own reports (its total, like KEFU's for Skåne): for --lan, and every län for --all
    lans = registry.lan() if args.all else []
    if args.lan:
        lans = [registry.resolve(args.lan, kinds=("lan",))]
    lan_notebooks = [n for n in notebooks if n in LAN_NOTEBOOKS]
    years = {}
    if RECEPTION in notebooks:  # checked before anything renders
        years = reception_years([*areas, *(lans if RECEPTION in lan_notebooks else [])], registry)
        check_year(args.year, years)
    version = store.data_version()
    base = {"demo": args.demo, "data_dir": str(paths.processed_dir())}
    others = [n for n in notebooks if n != RECEPTION]
    jobs = plan(areas, others, base, version)
    if lans and lan_notebooks:
        jobs += plan(lans, [n for n in lan_notebooks if n != RECEPTION], base, version)
    # 01 gets each area's own year: the one asked for, or the latest with data for the area
    for area, area_years in years.items():
        year = args.year or default_year(area_years)
        jobs += plan([area], [RECEPTION], {**base, "year": year}, version)
    if "02-etablering" in notebooks:  # cross-kommun model once for the batch, not per kommun
        derived.expected_tables(synthetic=args.demo)
        derived.kommun_counts(synthetic=args.demo)
    workers = args.jobs or os.cpu_count() or 1
    manifest = run_batch(
        jobs,
        args.out,
        version,
        workers=min(workers, len(jobs)),
        scheduler=args.scheduler,
        resume=args.resume,
        timeout=args.timeout,
    )
    index = write_site(args.out, {a.lan_code: a.name for a in registry.lan()}, version)
    counts = {
        s: sum(r["status"] == s for r in manifest["results"]) for s in ("ok", "skipped", "failed")
    }
    print(
        f"{counts['ok']} renderade, {counts['skipped']} redan aktuella, {counts['failed']} misslyckade "
        f"på {manifest['duration_s']:.1f} s. Index: {index}"
    )
    failures = [r for r in manifest["results"] if r["status"] == "failed"]
    if failures:
        print(f"\n{len(failures)} rapporter misslyckades:", file=sys.stderr)
        print(failure_table(failures), file=sys.stderr)
        print(f"Körlogg: {args.out}/manifest.json", file=sys.stderr)
        return EXIT_FAILED
    return 0
