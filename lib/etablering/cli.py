"""The `etablering` command: data import/status/fetch and report rendering.

Exit codes: 0 ok, 1 something failed while running, 2 bad input (nothing was done).
"""

import argparse
import sys
from pathlib import Path

from . import paths, store
from .errors import EtableringError, UsageError
from .kpis import Group, in_group

EXIT_FAILED, EXIT_USAGE = 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except EtableringError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="etablering", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(required=True, metavar="KOMMANDO")

    data = sub.add_parser("data", help="importera, hämta och visa underlaget").add_subparsers(
        required=True, metavar="DELKOMMANDO"
    )
    p = data.add_parser("import", help="läs in rådatafiler från en mapp (offline)")
    p.add_argument(
        "dir",
        nargs="?",
        type=Path,
        help="mapp med publicerade filer (standard: projektets ögonblicksbild data/raw)",
    )
    p.set_defaults(func=cmd_import)
    p = data.add_parser("status", help="visa vilka tabeller, områden och år som finns")
    p.set_defaults(func=cmd_status)
    p = data.add_parser("fetch", help="hämta nyckeltal från Koladas API v3 (kräver internet)")
    p.add_argument("--kpi", nargs="+", help="KPI-id (standard: alla som rapporterna använder)")
    p.add_argument(
        "--group",
        choices=[g.value for g in Group],
        help="bara nyckeltalen för en rapport",
    )
    p.add_argument("--years", nargs="+", type=int, help="år (standard: alla)")
    p.add_argument("--base-url", default=None, help="Koladas API-adress (för test)")
    p.set_defaults(func=cmd_fetch)

    p = data.add_parser(
        "demo", help="skriv syntetiska demodata (SYNTETISKA DATA) för alla kommuner"
    )
    p.add_argument("--seed", type=int, default=2016, help="slumpfrö (standard 2016)")
    p.add_argument("--remove", action="store_true", help="ta bort demodata")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "bench", help="mät körverktyget mot den naiva loopen (papermill + nbconvert)"
    )
    p.add_argument("--sample", type=int, default=6, help="antal kommuner i urvalet (standard 6)")
    p.add_argument("--jobs", type=int, default=2, help="parallella processer för körverktyget")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser(
        "validate",
        help="pröva modellen för förväntat värde på år den inte sett (täckning per klass)",
    )
    p.add_argument(
        "--train",
        nargs=2,
        type=int,
        default=[2015, 2020],
        metavar=("FRÅN", "TILL"),
        help="år modellen anpassas på (standard 2015 2020)",
    )
    p.add_argument(
        "--test",
        nargs=2,
        type=int,
        default=[2021, 2022],
        metavar=("FRÅN", "TILL"),
        help="år den prövas på (standard 2021 2022)",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="pröva på en syntetisk panel med kända effekter (SYNTETISKA DATA, kullar efter "
        "befolkning) i stället för de verkliga uppgifterna",
    )
    p.add_argument("--seed", type=int, default=2016, help="slumpfrö för --demo (standard 2016)")
    p.add_argument(
        "--rolling",
        action="store_true",
        help="pröva dessutom varje år i --test-perioden med en modell anpassad på åren före "
        "(från första --train-året); ger fler stora kommuner att pröva på",
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "backtest",
        help="försörjningsstödsmodellen mot faktiskt bistånd i alla kommuner 2016–2022",
    )
    p.add_argument("kommuner", nargs="*", help="bara dessa kommuner (standard: alla 290)")
    p.add_argument(
        "--out", type=Path, help="skriv en rad per kommun och år som CSV (';', decimalkomma)"
    )
    p.add_argument("--draws", type=int, default=500, help="simuleringar per kommun (standard 500)")
    p.add_argument("--seed", type=int, default=2018, help="slumpfrö (standard 2018)")
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("report", help="rendera rapporter för kommuner")
    p.add_argument("kommuner", nargs="*", help="kommunkod eller namn, t.ex. 0680 eller Jönköping")
    p.add_argument("--lan", help="alla kommuner i ett län (kod eller namn)")
    p.add_argument("--all", action="store_true", help="alla 290 kommuner")
    p.add_argument("--year", type=int, help="år (standard: senaste år med mottagandedata)")
    p.add_argument("--out", type=Path, default=Path("reports"), help="utmapp (standard: reports)")
    p.add_argument("--notebooks", nargs="+", help="vilka rapporter (standard: alla)")
    p.add_argument(
        "--demo",
        action="store_true",
        help="använd syntetiska demodata där rapporten stöder det (märks SYNTETISKA DATA)",
    )
    p.add_argument("--jobs", type=int, help="parallella processer (standard: antal kärnor)")
    p.add_argument("--scheduler", help="Dask-schemaläggare, t.ex. tcp://host:8786")
    p.add_argument(
        "--resume", action="store_true", help="hoppa över rapporter som redan är aktuella"
    )
    p.add_argument("--timeout", type=int, default=600, help="längsta tid per cell i sekunder")
    p.set_defaults(func=cmd_report)
    return parser


def cmd_import(args) -> int:
    from .importer import import_dir

    raw = args.dir or paths.raw_dir()
    print(f"Importerar från {raw} till {paths.processed_dir()}")
    counts = import_dir(raw)
    for name, n in counts.items():
        print(f"  {name}: {n} rader")
    if counts.get("kpi_flags"):
        print(f"  {counts['kpi_flags']} rader flaggade; se `etablering data status`.")
    print(f"Klart. Dataversion {store.data_version()}.")
    return 0


def cmd_status(args) -> int:
    from .status import status_lines

    for line in status_lines():
        print(line)
    return 0


def cmd_fetch(args) -> int:
    from .fetch import fetch_kolada

    kpis = args.kpi or (in_group(args.group) if args.group else None)
    fetch_kolada(kpis=kpis, years=args.years, base_url=args.base_url)
    return 0


def cmd_bench(args) -> int:
    from .bench import run_bench

    run_bench(n=args.sample, jobs=args.jobs)
    return 0


def cmd_demo(args) -> int:
    from .demo_data import remove_demo, write_demo

    if args.remove:
        print(f"Tog bort {remove_demo()} rader syntetiska data.")
    else:
        n = write_demo(seed=args.seed)
        print(
            f"Skrev {n} rader SYNTETISKA DATA (frö {args.seed}) till kpi_values. "
            "Rapporter visar dem bara med --demo, märkta SYNTETISKA DATA."
        )
    return 0


def cmd_validate(args) -> int:
    """Exit 0 when every class's coverage is inside its band, 1 when one is not."""
    from .validation_cli import run_validate

    return run_validate(args)


def cmd_backtest(args) -> int:
    from .backtest_cli import run_backtest

    return run_backtest(args)


def cmd_report(args) -> int:
    from .report import run_report

    return run_report(args)


if __name__ == "__main__":
    sys.exit(main())
