"""`etablering validate`: the expected-value model fitted on some years and judged on later ones.

Prints the 95 % prediction interval's coverage by gender and number of leavers, with the band
each class must fall in (expected.coverage_band), on the real panel or on a synthetic one whose
truth is known. Exit codes: 0 every class inside its band, 1 a class outside, 2 bad input.
"""

import time

import pandas as pd

from ..analysis import expected
from ..core import fmt
from ..core import gender as genders
from ..core.errors import MissingDataError, UsageError
from ..data import store
from .exit_codes import ExitCode

GENDER_WORDS = genders.LABELS


def _panel(args):
    if not store.has_table("kpi_values"):
        raise UsageError("Inga data importerade. Kör `etablering data import` först.")
    if args.demo:
        from ..data.demo import demo_kpi_values

        kpi_values = demo_kpi_values(
            store.read_table("areas"), seed=args.seed, population=store.read_table("population")
        )
        return expected.model_panel(kpi_values, synthetic=True), (
            f"SYNTETISKA DATA (demo, frö {args.seed}, kullar efter befolkning; sann spridning "
            "mellan kommuner 0,30)"
        )
    return expected.model_panel(store.read_table("kpi_values")), "Kolada (RKA)"


def table_lines(check: expected.Validation) -> list[str]:
    header = (
        f"{'Kön':<8}{'Antal som lämnat':<18}{'Kommunår':>9}{'Inom':>7}{'Täckning':>10}"
        f"{'Godtagbart':>16}  Bedömning"
    )
    lines = [header, "-" * len(header)]
    for _, r in check.table.iterrows():
        if r["n"] == 0:
            coverage, band, verdict = fmt.MISSING, "–", "inga kommunår"
        else:
            coverage = fmt.percent(100 * r["coverage"], 1)
            band = f"{fmt.number(100 * r['band_low'], 1)}–{fmt.percent(100 * r['band_high'], 1)}"
            verdict = "ok" if r["ok"] else "UTANFÖR"
        lines.append(
            f"{GENDER_WORDS[r['gender']]:<8}{r['size_class']:<18}{int(r['n']):>9}"
            f"{int(r['inside']):>7}{coverage:>10}{band:>16}  {verdict}"
        )
    return lines


def run_validate(args) -> int:
    train, test = tuple(args.train), tuple(args.test)
    if train[0] > train[1] or test[0] > test[1]:
        raise UsageError(f"Åren måste anges från–till: --train {train}, --test {test}.")
    if train[1] >= test[0]:
        raise UsageError(
            f"Prövningsåren ({test[0]}–{test[1]}) måste ligga efter anpassningsåren "
            f"({train[0]}–{train[1]}): modellen ska prövas på år den inte sett."
        )
    started = time.perf_counter()
    panel, label = _panel(args)
    test_rows = panel[panel["year"].between(*test) & panel["complete"]]
    if test_rows.empty:
        raise UsageError(f"Det finns inga kommunår att pröva på {test[0]}–{test[1]} i underlaget.")
    try:
        check = expected.validate(panel, train, test)
    except MissingDataError as exc:
        raise UsageError(str(exc)) from None
    print(
        f"Förväntat värde: anpassad {train[0]}–{train[1]}, prövad {test[0]}–{test[1]}. "
        f"Underlag: {label}."
    )
    print("Andel kommunår vars utfall ligger inom sitt 95-procentiga prediktionsintervall:")
    for line in table_lines(check):
        print("  " + line)
    var = check.fit.variance_table().set_index("gender")
    print(
        "Spridning på logitskala (anpassningsåren): "
        + ", ".join(
            f"{GENDER_WORDS[g].lower()} mellan kommuner {fmt.number(var.loc[g, 'tau'], 2)}, "
            f"mellan år {fmt.number(var.loc[g, 'sigma'], 2)}"
            for g in var.index
        )
        + "."
    )
    print(
        "Godtagbart: täckning som ett ensidigt binomialtest på 1 %-nivån inte kan skilja från "
        "90 % (nedre gräns) eller 99 % (övre gräns) med klassens antal kommunår."
    )
    checks = [check]
    if args.rolling:
        rolling = expected.validate_rolling(panel, train[0], (train[1] - 2, test[1]))
        checks.append(rolling)
        print(
            f"\nRullande: varje år {rolling.test_years[0]}–{rolling.test_years[1]} förutsagt med en "
            f"modell anpassad på {train[0]} till året före:"
        )
        for line in table_lines(rolling):
            print("  " + line)
    print(f"Tid: {fmt.number(time.perf_counter() - started, 1)} s.")
    failed = [c for c in checks if not c.ok]
    if failed:
        bad = pd.concat([c.table[~c.table["ok"]] for c in failed])
        names = ", ".join(
            f"{GENDER_WORDS[g].lower()} {c}"
            for g, c in zip(bad["gender"], bad["size_class"], strict=True)
        )
        print(f"Utanför bandet: {names}.")
        return ExitCode.FAILED  # a coverage outside its band
    return ExitCode.OK
