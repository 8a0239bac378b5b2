"""`etablering report`: pick kommuner, validate everything, render each notebook, write the index."""

import os
import sys
import tempfile
from pathlib import Path

from ..analysis import cache as derived
from ..core import paths
from ..core.errors import ParameterError, UnknownAreaError, UsageError, describe_os_error
from ..data import store
from ..data.origin import Origin
from ..data.registry import Registry
from ..reports.notebook_params import MODELS, validate_params
from .batch import INTERRUPTED, check_scheduler, plan, run_batch
from .exit_codes import ExitCode
from .render import LAN_NOTEBOOKS, NOTEBOOKS
from .site import write_site


def select_kommuner(registry: Registry, names: list[str], lans: list[str], everything: bool):
    """All requested kommuner (those of each --lan too), or UnknownAreaError listing every bad
    one (nothing is rendered)."""
    chosen, problems = [], []
    for query in names:
        try:
            chosen.append(registry.resolve(query))
        except UnknownAreaError as exc:
            problems.append(str(exc))
    for lan in lans or []:
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


def select_lans(registry: Registry, queries: list[str], everything: bool) -> list:
    """The län whose own reports are rendered: each --lan once, every län for --all."""
    if everything:
        return registry.lan()
    return list(dict.fromkeys(registry.resolve(q, kinds=("lan",)) for q in queries or []))


def has_demo_data(data_dir=None) -> bool:
    if not store.has_table("kpi_values", data_dir):
        return False
    return bool((store.read_table("kpi_values", data_dir)["origin"] == Origin.SYNTHETIC).any())


RECEPTION = "01-mottagande"


def reception_years(areas, registry: Registry, data_dir=None) -> dict:
    """Years with reception data per area (01-mottagande), from the imported tables."""
    from ..analysis.reception import years_by_kommun
    from ..reports.reception import years_for_area

    tables = {n: store.read_table(n, data_dir) for n in ("kpi_values", "kommunmottagna")}
    by_kommun = years_by_kommun(tables["kpi_values"], tables["kommunmottagna"])
    return {area: years_for_area(area, registry, tables, by_kommun) for area in areas}


def default_year(years: list[int]) -> int | None:
    """01-mottagande's default: the latest year with data for the area (None: no data)."""
    return max(years) if years else None


def check_year(year: int | None, years_by_area: dict, named=()) -> dict:
    """UsageError (exit 2, nothing rendered) naming every area the user named without data for
    `year`, or without any reception data at all, and the years that exist. Areas that came
    with --lan or --all and lack the year are returned (area -> years) to be left out of 01."""
    from ..analysis.reception import year_problem, year_ranges

    problems, left_out = [], {}
    for area, years in years_by_area.items():
        if year is None and years:
            continue
        if year is not None and year not in years and area not in named:
            left_out[area] = years
            continue
        if year is None:
            problems.append(year_problem(area.name, 0, years))
        elif year not in years:
            have = year_ranges(years) if years else "inga år"
            problems.append(f"{area.code} {area.name}: uppgifter finns för {have}")
    if not problems:
        return left_out
    if year is None:
        raise UsageError("\n".join(problems))
    raise UsageError(
        f"Det finns inga uppgifter om mottagandet år {year} (rapporten 01-mottagande) för:\n  "
        + "\n  ".join(problems)
        + "\nVälj ett av de åren, eller utelämna --year så visas varje områdes senaste år."
    )


def check_year_taken(year: int | None, notebooks: list[str]) -> None:
    """--year is 01-mottagande's parameter: without that report it would do nothing."""
    if year is not None and not [nb for nb in notebooks if "year" in _parameter_names(nb)]:
        raise UsageError(
            f"--year gäller rapporten 01-mottagande, som inte är vald ({', '.join(notebooks)}); "
            "ta bort --year eller välj 01-mottagande med --notebooks."
        )


def _parameter_names(notebook: str):
    from .render import parameter_names

    return parameter_names(notebook)


def check_parameters(jobs, registry: Registry) -> None:
    """Every job's parameters through its notebook's model before any kernel starts: a bad
    value stops the batch with the whole reason (exit 2) instead of failing in every report."""
    seen = set()
    for job in jobs:
        model = MODELS.get(job.notebook)
        key = (job.notebook, job.area.kind, repr(sorted(job.parameters.items())))
        if model is None or key in seen:
            continue
        seen.add(key)
        try:
            validate_params(registry, model, **job.parameters)
        except ParameterError as exc:
            raise UsageError(f"{job.notebook} för {job.area.code} {job.area.name}: {exc}") from None


def check_out_dir(out: Path) -> Path:
    """--out must be a folder the batch can create and write in (not a file, /dev/null, /proc,
    a read-only disk): refused before anything runs."""
    if not str(out).strip():
        raise UsageError("--out är tom; ange en mapp för rapporterna.")
    if out.exists() and not out.is_dir():
        raise UsageError(
            f"--out {out} finns redan och är ingen mapp (välj en mapp för rapporterna)."
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".etablering-prov-"):
            pass
    except OSError as exc:
        raise UsageError(
            f"Kan inte skriva rapporter i --out {out}: {describe_os_error(exc, with_path=False)}"
        ) from None
    return out


def _one_line(error: str, width: int = 300) -> str:
    """The whole reason on one line (a ParameterError's reasons are on the lines after its
    first), cut only when very long."""
    text = " ".join(part.strip() for part in str(error).splitlines() if part.strip())
    return text if len(text) <= width else text[: width - 1] + "…"


def failure_table(failures: list[dict]) -> str:
    """Kommun, report, cell and error in aligned columns (the error on one line)."""
    rows = [("Kommun", "Rapport", "Cell", "Fel")]
    for r in failures:
        cell = str(r["cell"]) if r["cell"] is not None else "–"
        rows.append((f"{r['kommun']} {r['name']}", r["notebook"], cell, _one_line(r["error"])))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        "  "
        + "  ".join(value.ljust(width) for value, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    )


def run_report(args) -> int:
    from ..analysis.reception import year_ranges

    registry = Registry.load()
    areas = select_kommuner(registry, args.kommuner, args.lan, args.all)
    notebooks = args.notebooks or list(NOTEBOOKS)
    unknown = [n for n in notebooks if n not in NOTEBOOKS]
    if unknown:
        raise UnknownAreaError(f"Okänd rapport {unknown}; finns: {', '.join(NOTEBOOKS)}")
    if args.demo and not has_demo_data():
        raise UsageError("Det finns inga demodata. Kör `etablering data demo` först.")
    check_year_taken(args.year, notebooks)
    # the län's own reports (its total, like KEFU's for Skåne): for --lan, and every län for --all
    lans = select_lans(registry, args.lan, args.all)
    lan_notebooks = [n for n in notebooks if n in LAN_NOTEBOOKS]
    years = {}
    if RECEPTION in notebooks:  # checked before anything renders
        years = reception_years([*areas, *(lans if RECEPTION in lan_notebooks else [])], registry)
        named = {registry.resolve(q) for q in args.kommuner}
        for area, have in check_year(args.year, years, named).items():
            del years[area]
            print(
                f"{area.code} {area.name}: inga uppgifter om mottagandet {args.year} "
                f"(finns för {year_ranges(have) if have else 'inga år'}); 01-mottagande hoppas över.",
                file=sys.stderr,
            )
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
    check_parameters(jobs, registry)
    if args.scheduler:
        check_scheduler(args.scheduler)
    check_out_dir(args.out)
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
        data_dir=paths.processed_dir(),
    )
    return report_outcome(manifest, args.out, registry, version)


def report_outcome(manifest: dict, out: Path, registry: Registry, version: str) -> int:
    """The summary line and the failure table first (they need no disk), then the index; every
    problem writing either is reported, none hides the results."""
    results = manifest["results"]
    counts = {s: sum(r["status"] == s for r in results) for s in ("ok", "skipped", "failed")}
    problems = []
    if manifest.get("manifest_error"):
        problems.append(manifest["manifest_error"])
    index = None
    try:
        index = write_site(out, {a.lan_code: a.name for a in registry.lan()}, version)
    except OSError as exc:
        problems.append(f"Kunde inte skriva indexsidan i {out}: {describe_os_error(exc)}")
    interrupted = manifest.get("status") == INTERRUPTED
    left = sum(r["status"] == "interrupted" for r in results)
    print(
        f"{counts['ok']} renderade, {counts['skipped']} redan aktuella, {counts['failed']} misslyckade"
        + (f", {left} avbrutna" if interrupted else "")
        + f" på {manifest['duration_s']:.1f} s."
        + (f" Index: {index}" if index else "")
    )
    failures = [r for r in results if r["status"] == "failed"]
    if failures:
        print(f"\n{len(failures)} rapporter misslyckades:", file=sys.stderr)
        print(failure_table(failures), file=sys.stderr)
        if not manifest.get("manifest_error"):
            print(f"Körlogg: {out}/manifest.json", file=sys.stderr)
    for problem in problems:
        print(f"fel: {problem}", file=sys.stderr)
    if interrupted:
        print(
            f"fel: avbruten (Ctrl-C). {left} rapporter gjordes inte; det som blev klart finns kvar. "
            "Fortsätt med samma kommando och --resume.",
            file=sys.stderr,
        )
        return ExitCode.INTERRUPTED
    return ExitCode.FAILED if failures or problems else ExitCode.OK
