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


def default_year(data_dir=None) -> int:
    years = set()
    for table in ("kommuntal", "kommunmottagna"):
        if store.has_table(table, data_dir):
            years |= set(store.read_table(table, data_dir)["year"])
    return max(years) if years else 2018


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
    year = args.year or default_year()
    version = store.data_version()
    base = {"year": year, "demo": args.demo, "data_dir": str(paths.processed_dir())}
    jobs = plan(areas, notebooks, base, version)
    # the län's own reports (its total, like KEFU's for Skåne): for --lan, and every län for --all
    lans = registry.lan() if args.all else []
    if args.lan:
        lans = [registry.resolve(args.lan, kinds=("lan",))]
    lan_notebooks = [n for n in notebooks if n in LAN_NOTEBOOKS]
    if lans and lan_notebooks:
        jobs += plan(lans, lan_notebooks, base, version)
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
