"""Backtest on every kommun: the model's cost for the etablering cohorts beside the kommun's
actual bistånd, year by year 2016–2022, and the change.

For each kommun the model runs on its own cohorts (Kolada up to the last year with data), with
the parameters as they are (nothing is fitted per kommun to the totals it is compared with).
The actual figures are Kolada's:

- `faktiskt_mkr`: utbetalt ekonomiskt bistånd totalt (BISTAND_TKR / 1 000), everything the kommun
  paid, to everyone. The cohorts are part of it, so the model must stay below it; the change in
  the total has other drivers too (the labour market, other recipients), so the model's change
  is one part of the actual change, not a forecast of all of it.
- `faktiskt_flykting_mkr`: the same for flyktinghushåll (BISTAND_KR_PER_INV − BISTAND_EXCL_REFUGEES_KR_PER_INV, × population):
  Socialstyrelsen counts a household as a refugee household from the year of the residence
  permit and three calendar years more. `modell_flykting_mkr` is the model's cost inside those
  years (the programme years and the first after it); the statistic also holds the weeks before
  etableringsersättning, family members outside the programme and those 65+, so it is larger.
  `niva_sankt_till`: 1, or the factor the kommun's level was lowered by so that the model's
  cost in those years 2016–2022 fits inside the statistic (model.cap_to_refugee_statistic).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...core.errors import EtableringError
from .cohort import simulate, yearly
from .draws import Draws
from .model import Panel, area_inputs, prepare
from .params import KefuParams
from .uncertainty import run_draws

YEARS = (2016, 2022)
CHANGE = (2016, 2020)
COLUMNS = [
    "kommun",
    "namn",
    "ar",
    "modell_mkr",
    "modell_lag_mkr",
    "modell_hog_mkr",
    "modell_80_lag_mkr",
    "modell_80_hog_mkr",
    "faktiskt_mkr",
    "andel_av_faktiskt",
    "modell_flykting_mkr",
    "faktiskt_flykting_mkr",
    "niva_sankt_till",
]


@dataclass(frozen=True)
class Backtest:
    rows: pd.DataFrame  # COLUMNS, one row per kommun and year
    changes: pd.DataFrame  # kommun, namn, modell, lag, hog, faktiskt (change CHANGE, Mkr)
    skipped: list[str]  # kommuner without cohorts, with the reason

    def metrics(self) -> dict:
        return metrics(self.rows, self.changes)


def run(
    data: Panel,
    params: KefuParams,
    kommuner: list[tuple[str, str]],
    n_draws: int = 500,
    seed: int = 2018,
    years: tuple[int, int] = YEARS,
    change: tuple[int, int] = CHANGE,
) -> Backtest:
    """One row per kommun and year in `years`; `kommuner` is [(code, name), …]."""
    rows, changes, skipped = [], [], []
    for code, name in kommuner:
        try:
            inputs = area_inputs(data, params, code, name, "kommun")
            prep = prepare(inputs, params, inputs.cohorts.first_year, years[1])
        except EtableringError as exc:
            skipped.append(f"{code} {name}: {exc}")
            continue
        all_years = list(prep.years)
        point = simulate(prep, Draws.at_values(params))
        window = yearly(prep, point.cost_window)[0, 2]
        _, flows = run_draws(prep, n_draws, seed)
        drawn = yearly(prep, flows.cost)[:, 2, :] / 1e6
        q = np.quantile(drawn, [0.025, 0.1, 0.5, 0.9, 0.975], axis=0)
        actual = inputs.actual
        for year in range(years[0], years[1] + 1):
            if year not in all_years:
                continue
            j = all_years.index(year)
            total = actual["total_kr"].get(year, np.nan)
            total = total / 1e6 if total and total > 0 else np.nan
            refugee = actual["refugee_kr"].get(year, np.nan) / 1e6
            rows.append(
                {
                    "kommun": code,
                    "namn": name,
                    "ar": year,
                    "modell_mkr": q[2, j],
                    "modell_lag_mkr": q[0, j],
                    "modell_hog_mkr": q[4, j],
                    "modell_80_lag_mkr": q[1, j],
                    "modell_80_hog_mkr": q[3, j],
                    "faktiskt_mkr": total,
                    "andel_av_faktiskt": q[2, j] / total if total else np.nan,
                    "modell_flykting_mkr": window[j] / 1e6,
                    "faktiskt_flykting_mkr": refugee,
                    "niva_sankt_till": prep.window_scale,
                }
            )
        a, b = change
        if a in all_years and b in all_years:
            d = drawn[:, all_years.index(b)] - drawn[:, all_years.index(a)]
            t0, t1 = actual["total_kr"].get(a, np.nan), actual["total_kr"].get(b, np.nan)
            ok = t0 and t1 and t0 > 0 and t1 > 0
            changes.append(
                {
                    "kommun": code,
                    "namn": name,
                    "modell": float(np.median(d)),
                    "lag": float(np.quantile(d, 0.025)),
                    "hog": float(np.quantile(d, 0.975)),
                    "lag80": float(np.quantile(d, 0.1)),
                    "hog80": float(np.quantile(d, 0.9)),
                    "faktiskt": (t1 - t0) / 1e6 if ok else np.nan,
                }
            )
    return Backtest(pd.DataFrame(rows, columns=COLUMNS), pd.DataFrame(changes), skipped)


def metrics(rows: pd.DataFrame, changes: pd.DataFrame) -> dict:
    """The summary the command prints and the report quotes."""
    r = rows.dropna(subset=["faktiskt_mkr"])
    c = changes.dropna(subset=["faktiskt"])
    fl = rows.dropna(subset=["faktiskt_flykting_mkr"])
    fl = fl[fl["faktiskt_flykting_mkr"] > 0]
    inside95 = ((c["faktiskt"] >= c["lag"]) & (c["faktiskt"] <= c["hog"])).mean()
    inside80 = ((c["faktiskt"] >= c["lag80"]) & (c["faktiskt"] <= c["hog80"])).mean()
    above = (c["faktiskt"] > c["hog"]).mean()
    below = (c["faktiskt"] < c["lag"]).mean()
    corr = float(np.corrcoef(c["modell"], c["faktiskt"])[0, 1]) if len(c) > 2 else np.nan
    fl_corr = (
        float(
            np.corrcoef(
                np.log(fl["modell_flykting_mkr"] + 1e-3), np.log(fl["faktiskt_flykting_mkr"])
            )[0, 1]
        )
        if len(fl) > 2
        else np.nan
    )
    return {
        "kommuner": int(rows["kommun"].nunique()),
        "kommun_ar": int(len(r)),
        "over_totalen": int((r["modell_hog_mkr"] > r["faktiskt_mkr"]).sum()),
        "median_andel_av_totalen": float(r["andel_av_faktiskt"].median()),
        "forandring_kommuner": int(len(c)),
        "forandring_mae_mkr": float((c["modell"] - c["faktiskt"]).abs().median()),
        "forandring_inom_95": float(inside95),
        "forandring_inom_80": float(inside80),
        "forandring_over_band": float(above),
        "forandring_under_band": float(below),
        "forandring_korrelation": corr,
        "forandring_summa_modell_mkr": float(c["modell"].sum()),
        "forandring_summa_faktiskt_mkr": float(c["faktiskt"].sum()),
        "flykting_korrelation_log": fl_corr,
        "flykting_kvot_median": float(
            (fl["modell_flykting_mkr"] / fl["faktiskt_flykting_mkr"]).median()
        ),
        "flykting_over": float((fl["modell_flykting_mkr"] > fl["faktiskt_flykting_mkr"]).mean()),
        "flykting_sankta": int(rows.loc[rows["niva_sankt_till"] < 1, "kommun"].nunique()),
    }


def write_csv(rows: pd.DataFrame, path) -> None:
    """UTF-8 with BOM, ';', decimal comma, the kommun code as text (leading zero kept)."""
    out = rows.copy()
    out["kommun"] = out["kommun"].astype(str)
    out.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig", float_format="%.3f")


__all__ = ["COLUMNS", "Backtest", "metrics", "run", "write_csv"]
