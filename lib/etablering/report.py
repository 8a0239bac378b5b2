"""`etablering report`: pick kommuner, validate everything, render each notebook, write the index."""

import sys

from tqdm import tqdm

from . import paths, store
from .errors import UnknownAreaError
from .registry import Registry
from .render import NOTEBOOKS, render
from .site import write_index

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


def default_year(data_dir=None) -> int:
    years = set()
    for table in ("kommuntal", "kommunmottagna"):
        if store.has_table(table, data_dir):
            years |= set(store.read_table(table, data_dir)["year"])
    return max(years) if years else 2018


def run_report(args) -> int:
    registry = Registry.load()
    areas = select_kommuner(registry, args.kommuner, args.lan, args.all)
    notebooks = args.notebooks or list(NOTEBOOKS)
    unknown = [n for n in notebooks if n not in NOTEBOOKS]
    if unknown:
        raise UnknownAreaError(f"Okänd rapport {unknown}; finns: {', '.join(NOTEBOOKS)}")
    year = args.year or default_year()
    version = store.data_version()
    params = {"year": year, "data_dir": str(paths.processed_dir())}
    failures = []
    jobs = [(a, nb) for a in areas for nb in notebooks]
    for area, nb in tqdm(jobs, desc="Rapporter", unit="rapport", disable=len(jobs) < 2):
        result = render(area, nb, args.out, {**params, "kommun": area.code}, version)
        if result.ok:
            print(f"{area.code} {area.name}: {result.html} ({result.duration:.1f} s)")
        else:
            failures.append((area, result))
    index = write_index(args.out, {a.lan_code: a.name for a in registry.lan()}, version)
    print(f"Index: {index}")
    if failures:
        print(f"\n{len(failures)} rapporter misslyckades:", file=sys.stderr)
        for area, r in failures:
            print(
                f"  {area.code} {area.name} {r.notebook}: cell {r.cell}: {r.error}", file=sys.stderr
            )
        return EXIT_FAILED
    return 0
