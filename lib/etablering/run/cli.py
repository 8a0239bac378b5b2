"""The `etablering` command: data import/status/fetch and report rendering.

Every error ends as an exit code of exit_codes.ExitCode: 0 ok, 1 something failed while
running, 2 bad input (nothing was done), 130 interrupted (Ctrl-C), 141 the reader of the
output went away (`| head`).
"""

import argparse
import os
import sys
import traceback
from pathlib import Path

from ..core import paths
from ..core.errors import EtableringError, UsageError, describe_os_error
from ..data import store
from ..data.kpis import Group, in_group
from .exit_codes import ExitCode

DEBUG_HINT = "Kör samma kommando med --debug för att se var felet uppstod."


def main(argv: list[str] | None = None) -> int:
    """Every error ends as `fel: …` lines in Swedish and an exit code, never a traceback
    (unless --debug, anywhere on the command line, asks for one)."""
    _tolerant_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or os.environ.get("ETABLERING_DEBUG") == "1"
    argv = [a for a in argv if a != "--debug"]
    try:
        args = _parser().parse_args(argv)
        return args.func(args)
    except KeyboardInterrupt:
        _error("avbrutet (Ctrl-C); inget mer gjordes.", debug)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()  # `etablering data status | head -1`: the reader has what it wanted
        return ExitCode.PIPE
    except UsageError as exc:
        _error(str(exc), debug)
        return ExitCode.USAGE
    except EtableringError as exc:
        _error(str(exc), debug)
        return ExitCode.FAILED
    except OSError as exc:
        _error(describe_os_error(exc), debug)
        return ExitCode.FAILED
    except MemoryError:
        _error("minnet tog slut.", debug)
        return ExitCode.FAILED
    except Exception as exc:  # a bug: say so plainly, the traceback is behind --debug
        _error(f"oväntat fel ({type(exc).__name__}: {exc}). {DEBUG_HINT}", debug)
        return ExitCode.FAILED


def _error(message: str, debug: bool) -> None:
    if debug:
        traceback.print_exc()
    try:
        print(f"fel: {message}", file=sys.stderr)
    except (BrokenPipeError, OSError):
        pass


def _tolerant_streams() -> None:
    """A terminal or pipe that cannot show å, ä, ö (PYTHONIOENCODING=ascii, LANG=C) gets '?'
    instead of a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):
            pass


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class _Parser(argparse.ArgumentParser):
    """argparse with its errors as `fel: …` in Swedish (exit 2, as before)."""

    _SWEDISH = [
        ("the following arguments are required", "följande argument saknas"),
        ("unrecognized arguments", "okända argument"),
        ("invalid choice", "ogiltigt val"),
        ("choose from", "välj bland"),
        ("invalid int value", "inget heltal"),
        ("invalid float value", "inget tal"),
        ("expected one argument", "väntade ett värde"),
        ("expected at least one argument", "väntade minst ett värde"),
        ("argument ", "argumentet "),
    ]

    def error(self, message: str):
        for english, swedish in self._SWEDISH:
            message = message.replace(english, swedish)
        self.print_usage(sys.stderr)
        self.exit(ExitCode.USAGE, f"fel: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="etablering", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--debug", action="store_true", help="visa hela Python-spårningen vid fel (för felsökning)"
    )
    sub = parser.add_subparsers(required=True, metavar="KOMMANDO")

    data = sub.add_parser("data", help="importera, hämta och visa underlaget").add_subparsers(
        required=True, metavar="DELKOMMANDO"
    )
    p = data.add_parser("import", help="läs in rådatafiler från en mapp (offline)")
    p.add_argument(
        "dir",
        nargs="?",
        type=_path,
        help="mapp med publicerade filer (standard: projektets ögonblicksbild data/raw)",
    )
    p.set_defaults(func=cmd_import)
    p = data.add_parser("status", help="visa vilka tabeller, områden och år som finns")
    p.set_defaults(func=cmd_status)
    p = data.add_parser("fetch", help="hämta nyckeltal från Koladas API v3 (kräver internet)")
    p.add_argument(
        "--kpi", nargs="+", type=_kpi_id, help="KPI-id (standard: alla som rapporterna använder)"
    )
    p.add_argument(
        "--group",
        choices=[g.value for g in Group],
        help="bara nyckeltalen för en rapport",
    )
    p.add_argument("--years", nargs="+", type=_year, help="år (standard: alla)")
    p.add_argument("--base-url", default=None, type=_http_url, help="Koladas API-adress (för test)")
    p.set_defaults(func=cmd_fetch)

    p = data.add_parser(
        "demo", help="skriv syntetiska demodata (SYNTETISKA DATA) för alla kommuner"
    )
    p.add_argument("--seed", type=_seed, default=2016, help="slumpfrö (standard 2016)")
    p.add_argument("--remove", action="store_true", help="ta bort demodata")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "bench", help="mät körverktyget mot den naiva loopen (papermill + nbconvert)"
    )
    p.add_argument(
        "--sample", type=_sample, default=6, help="antal kommuner i urvalet, 1–290 (standard 6)"
    )
    p.add_argument("--jobs", type=_jobs, default=2, help="parallella processer för körverktyget")
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
    p.add_argument(
        "--lan",
        action="append",
        help="alla kommuner i ett län och länet självt (kod eller namn); flera län: --lan 06 --lan 14",
    )
    p.add_argument("--all", action="store_true", help="alla 290 kommuner")
    p.add_argument("--year", type=_year, help="år (standard: senaste år med mottagandedata)")
    p.add_argument("--out", type=_path, default=Path("reports"), help="utmapp (standard: reports)")
    p.add_argument("--notebooks", nargs="+", help="vilka rapporter (standard: alla)")
    p.add_argument(
        "--demo",
        action="store_true",
        help="använd syntetiska demodata där rapporten stöder det (märks SYNTETISKA DATA)",
    )
    p.add_argument("--jobs", type=_jobs, help="parallella processer (standard: antal kärnor)")
    p.add_argument("--scheduler", type=_scheduler, help="Dask-schemaläggare, t.ex. tcp://host:8786")
    p.add_argument(
        "--resume", action="store_true", help="hoppa över rapporter som redan är aktuella"
    )
    p.add_argument(
        "--timeout", type=_timeout, default=600, help="längsta tid per cell i sekunder (≥ 1)"
    )
    p.set_defaults(func=cmd_report)
    return parser


def cmd_import(args) -> int:
    from ..data.importer import import_dir

    raw = args.dir or paths.raw_dir()
    print(f"Importerar från {raw} till {paths.processed_dir()}")
    counts = import_dir(raw)
    for name, n in counts.items():
        print(f"  {name}: {n} rader")
    if counts.get("kpi_flags"):
        print(f"  {counts['kpi_flags']} rader flaggade; se `etablering data status`.")
    print(f"Klart. Dataversion {store.data_version()}.")
    return ExitCode.OK


def cmd_status(args) -> int:
    from ..data.status import status_lines

    for line in status_lines():
        print(line)
    return ExitCode.OK


def cmd_fetch(args) -> int:
    from ..data.fetch import fetch_kolada

    kpis = args.kpi or (in_group(args.group) if args.group else None)
    fetch_kolada(kpis=kpis, years=args.years, base_url=args.base_url)
    return ExitCode.OK


def cmd_bench(args) -> int:
    from .bench import run_bench

    run_bench(n=args.sample, jobs=args.jobs)
    return ExitCode.OK


def cmd_demo(args) -> int:
    from ..data.demo_data import remove_demo, write_demo

    if args.remove:
        print(f"Tog bort {remove_demo()} rader syntetiska data.")
    else:
        n = write_demo(seed=args.seed)
        print(
            f"Skrev {n} rader SYNTETISKA DATA (frö {args.seed}) till kpi_values. "
            "Rapporter visar dem bara med --demo, märkta SYNTETISKA DATA."
        )
    return ExitCode.OK


def cmd_validate(args) -> int:
    """Exit 0 when every class's coverage is inside its band, 1 when one is not."""
    from .validate_command import run_validate

    return run_validate(args)


def cmd_backtest(args) -> int:
    from .backtest_command import run_backtest

    return run_backtest(args)


def cmd_report(args) -> int:
    from .report_command import run_report

    return run_report(args)


# --- argument types: each refuses a bad value before anything runs (exit 2, `fel: …`) -------

MAX_JOBS = 256
MAX_TIMEOUT = 7 * 24 * 3600


def _integer(text: str, what: str, low: int, high: int) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} är inget heltal ({what})") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{what} måste vara {low}–{high}, fick {value}")
    return value


def _jobs(text: str) -> int:
    return _integer(text, "antal processer", 1, MAX_JOBS)


def _timeout(text: str) -> int:
    # 0 or less would switch the timeout off in nbclient: a hanging cell would hang the batch
    return _integer(text, "sekunder per cell", 1, MAX_TIMEOUT)


def _sample(text: str) -> int:
    return _integer(text, "antal kommuner", 1, 290)


def _seed(text: str) -> int:
    return _integer(text, "slumpfröet", 0, 2**32 - 1)


def _year(text: str) -> int:
    return _integer(text, "året", 1990, 2100)


def _path(text: str) -> Path:
    if not str(text).strip():
        raise argparse.ArgumentTypeError(
            "en tom sökväg; ange en mapp (skriv . om du menar den här mappen)"
        )
    return Path(text)


def _kpi_id(text: str) -> str:
    import re

    value = str(text).strip().upper()
    if not re.fullmatch(r"[A-Z]\d{5}", value):
        raise argparse.ArgumentTypeError(
            f"{text!r} är inget KPI-id (en bokstav och fem siffror, t.ex. N00973)"
        )
    return value


def _http_url(text: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(str(text).strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"{text!r} är ingen http- eller https-adress (t.ex. https://api.kolada.se/v3/)"
        )
    return str(text).strip()


def _scheduler(text: str) -> str:
    from urllib.parse import urlsplit

    value = str(text).strip()
    parts = urlsplit(value if "://" in value else f"tcp://{value}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in ("tcp", "tls", "ws", "wss", "inproc", "ucx") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"{text!r} är ingen adress till en Dask-schemaläggare (t.ex. tcp://host:8786)"
        )
    if parts.scheme != "inproc" and port is None:
        raise argparse.ArgumentTypeError(f"{text!r} saknar port (t.ex. tcp://host:8786)")
    return value


if __name__ == "__main__":
    sys.exit(main())
