"""`etablering backtest`: the försörjningsstöd model against the bistånd every kommun paid.

Writes one row per kommun and year (kommun as text, ar, modell_mkr = median, modell_lag_mkr and
modell_hog_mkr = the 95 % span given the assumptions, faktiskt_mkr = BISTAND_TKR / 1 000, and the
flyktinghushåll comparison) and prints the summary metrics.
"""

import time
from pathlib import Path

from ..analysis.kefu import backtest, load_params
from ..analysis.kefu.model import Panel
from ..core import fmt
from ..core.errors import UsageError
from ..data import kpis, store
from ..data.registry import Registry
from .exit_codes import ExitCode


def _check(args) -> None:
    if not 10 <= args.draws <= 100_000:
        raise UsageError(f"--draws måste vara mellan 10 och 100 000, fick {args.draws}.")
    if args.out is not None:
        out = Path(args.out)
        if out.exists() and out.is_dir():
            raise UsageError(f"--out {out} är en mapp; ange en fil, t.ex. {out / 'backtest.csv'}.")
        if not out.parent.exists():
            raise UsageError(f"Mappen {out.parent} finns inte (--out).")


def summary_lines(m: dict, change: tuple[int, int]) -> list[str]:
    a, b = change
    pct = lambda x: fmt.percent(100 * x)  # noqa: E731
    return [
        f"Kommuner: {m['kommuner']}, kommun-år med utfall: {m['kommun_ar']}.",
        f"Modellens 95 %-spann över kommunens totala bistånd ({kpis.BISTAND_TKR}): "
        f"{m['over_totalen']} kommun-år. Modellens median är i mitten av kommunerna "
        f"{pct(m['median_andel_av_totalen'])} av det totala biståndet.",
        f"Förändring {a}–{b} ({m['forandring_kommuner']} kommuner): medianfel "
        f"{fmt.number(m['forandring_mae_mkr'], 1)} Mkr; den faktiska förändringen av det totala "
        f"biståndet ligger inom modellens 95 %-spann i {pct(m['forandring_inom_95'])} av "
        f"kommunerna (inom 80 %-spannet i {pct(m['forandring_inom_80'])}), över i "
        f"{pct(m['forandring_over_band'])} och under i {pct(m['forandring_under_band'])}.",
        f"Korrelation mellan modellens och den faktiska förändringen: "
        f"{fmt.number(m['forandring_korrelation'], 2)}. Summa: modellen "
        f"{fmt.number(m['forandring_summa_modell_mkr'])} Mkr, faktiskt "
        f"{fmt.number(m['forandring_summa_faktiskt_mkr'])} Mkr.",
        f"Flyktinghushåll ({kpis.BISTAND_KR_PER_INV} − {kpis.BISTAND_EXCL_REFUGEES_KR_PER_INV}): "
        f"modellen under samma år är i mitten {pct(m['flykting_kvot_median'])} av statistiken, "
        f"korrelation (log) {fmt.number(m['flykting_korrelation_log'], 2)}, modellen över "
        f"statistiken i {pct(m['flykting_over'])} av kommun-åren; {m['flykting_sankta']} "
        "kommuners nivå är sänkt så att modellen 2016–2022 ryms i statistiken "
        "(kolumnen niva_sankt_till).",
        "Det totala biståndet ändras också av annat än kohorterna (arbetsmarknaden, andra "
        "mottagare), så spannen för kohorterna ska inte täcka varje kommuns förändring.",
    ]


def run_backtest(args) -> int:
    _check(args)
    registry = Registry.load()
    if args.kommuner:
        areas = [registry.resolve(k) for k in args.kommuner]
    else:
        areas = registry.kommuner()
    params = load_params()
    started = time.perf_counter()
    groups = store.read_table("area_groups") if store.has_table("area_groups") else None
    data = Panel.build(store.read_table("kpi_values"), params, groups)
    result = backtest.run(
        data, params, [(a.code, a.name) for a in areas], n_draws=args.draws, seed=args.seed
    )
    if args.out is not None:
        backtest.write_csv(result.rows, args.out)
        print(f"Skrev {len(result.rows)} rader till {args.out}.")
    for line in summary_lines(result.metrics(), backtest.CHANGE):
        print(line)
    for skipped in result.skipped:
        print(f"Utan kohorter: {skipped}")
    print(f"Tid: {fmt.number(time.perf_counter() - started, 1)} s.")
    return ExitCode.OK
