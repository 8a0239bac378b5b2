"""Share in work or studies 90 days after the programme (Kolada WORK_OR_STUDIES), by exit year and gender.

A kommun's own share is noisy when few leave, so it is shrunk towards its län (and the län
towards riket): estimate = w · own + (1 − w) · län, w = n / (n + κ), with n the number who left
that year (LEFT) and κ = `outcomes.shrinkage_persons`. The län value is the leavers-weighted
mean of its kommuner (Kolada publishes these KPIs for kommuner and riket only). Years before the
first published year take that year's value, years after the last the mean of the last
`outcomes.future_years` years — both named in the table.
"""

from enum import StrEnum

import numpy as np
import pandas as pd

from ...core.errors import MissingDataError
from ...data import kpis, panel
from .entrants import GENDERS
from .params import KefuParams

KPI = kpis.WORK_OR_STUDIES
COLUMNS = ["exit_year", "gender", "share", "own", "leavers", "weight", "prior", "basis"]


def _panel(kpi_values: pd.DataFrame) -> pd.DataFrame:
    """area_code, year, gender, share (0–1), leavers for every kommun and riket."""
    rows = panel.values(kpi_values, [KPI, kpis.LEFT], genders=list(GENDERS))
    rows = rows.dropna(subset=["value"])
    wide = rows.pivot_table(
        index=["area_code", "year", "gender"], columns="kpi", values="value", aggfunc="first"
    ).reset_index()
    for col in (KPI, kpis.LEFT):
        if col not in wide:
            wide[col] = np.nan
    return pd.DataFrame(
        {
            "area_code": wide["area_code"],
            "year": wide["year"].astype(int),
            "gender": wide["gender"],
            "share": wide[KPI] / 100,
            "leavers": wide[kpis.LEFT],
        }
    )


def _shrunk(own: pd.DataFrame, prior: pd.DataFrame, kappa: float) -> pd.DataFrame:
    """own (share, leavers) towards prior (share), aligned on the same index."""
    n = own["leavers"].fillna(0.0).where(own["share"].notna(), 0.0)
    w = n / (n + kappa) if kappa > 0 else (n > 0).astype(float)
    est = w * own["share"].fillna(0.0) + (1 - w) * prior["share"]
    est = est.where(prior["share"].notna(), own["share"])
    return pd.DataFrame(
        {
            "share": est,
            "own": own["share"],
            "leavers": own["leavers"],
            "weight": w,
            "prior": prior["share"],
        }
    )


def estimates_table(kpi_values: pd.DataFrame, params: KefuParams) -> pd.DataFrame:
    """Shrunk estimates for every kommun, every län ("lan:12") and riket ("0000") in one
    frame indexed by (area_code, year, gender)."""
    rows = _panel(kpi_values)
    kappa = params.outcomes.shrinkage_persons.value
    riket = rows[rows["area_code"] == "0000"].set_index(["year", "gender"])[["share", "leavers"]]
    kommuner = rows[(rows["area_code"] != "0000") & ~rows["area_code"].str.startswith("00")]
    kommuner = kommuner.assign(lan=kommuner["area_code"].str[:2])
    ok = kommuner.dropna(subset=["share", "leavers"])
    ok = ok[ok["leavers"] > 0]
    g = ok.assign(x=ok["share"] * ok["leavers"]).groupby(["lan", "year", "gender"])
    lan_raw = pd.DataFrame(
        {"share": g["x"].sum() / g["leavers"].sum(), "leavers": g["leavers"].sum()}
    )
    r = riket.reindex(lan_raw.droplevel("lan").index)
    r.index = lan_raw.index
    lan = _shrunk(lan_raw, r, kappa)
    k = kommuner.set_index(["lan", "year", "gender"])
    prior = lan[["share"]].reindex(k.index)
    prior = prior.where(
        prior["share"].notna(), riket[["share"]].reindex(k.index.droplevel("lan")).set_axis(k.index)
    )
    est = _shrunk(k[["share", "leavers"]], prior, kappa)
    est["area_code"] = k["area_code"].to_numpy()
    est = est.reset_index().drop(columns="lan").set_index(["area_code", "year", "gender"])
    lan = lan.reset_index()
    lan["area_code"] = "lan:" + lan["lan"]
    lan = lan.drop(columns="lan").set_index(["area_code", "year", "gender"])
    rk = _shrunk(riket, riket, 0.0).assign(area_code="0000").reset_index()
    rk = rk.set_index(["area_code", "year", "gender"])
    return pd.concat([rk, lan, est]).sort_index()


class Estimates:
    """Lookup of `estimates_table` by area: est[code] -> frame indexed by (year, gender)."""

    def __init__(self, table: pd.DataFrame):
        self.table = table
        self._codes = set(table.index.get_level_values("area_code"))

    def __contains__(self, code: str) -> bool:
        return code in self._codes

    def __iter__(self):
        return iter(sorted(self._codes))

    def __getitem__(self, code: str) -> pd.DataFrame:
        return self.table.xs(code, level="area_code")

    def get(self, code: str, default=None):
        return self[code] if code in self else default


def kommun_lan_riket(kpi_values: pd.DataFrame, params: KefuParams) -> Estimates:
    return Estimates(estimates_table(kpi_values, params))


def exit_shares(
    estimates: pd.DataFrame, years, params: KefuParams, level: str = "kommun"
) -> pd.DataFrame:
    """One row per exit year in `years` and gender, with its basis (a Basis)."""
    est = estimates.dropna(subset=["share"])
    if est.empty:
        raise MissingDataError(
            f"Kolada {KPI} saknas för området, länet och riket.",
            f"Kör `etablering data import` eller hämta {KPI} med `etablering data fetch`.",
        )
    known = sorted({int(y) for y, _ in est.index})
    first, last = known[0], known[-1]
    recent = [y for y in known if y > last - int(params.outcomes.future_years.value)]
    rows = []
    for year in sorted({int(y) for y in years}):
        for g in GENDERS:
            if first <= year <= last and (year, g) in est.index:
                r = est.loc[(year, g)]
                basis = _basis(level, r)
                rows.append({"exit_year": year, "gender": g, **r.to_dict(), "basis": basis})
                continue
            if year < first:
                r = est.loc[(first, g)]
                share, basis = float(r["share"]), Basis.FIRST_YEAR  # as the first year with KPI
            else:
                share = float(
                    np.mean([est.loc[(y, g), "share"] for y in recent if (y, g) in est.index])
                )
                basis = Basis.RECENT_MEAN  # assumed: the mean of the recent years
            rows.append(
                {
                    "exit_year": year,
                    "gender": g,
                    "share": share,
                    "own": np.nan,
                    "leavers": np.nan,
                    "weight": np.nan,
                    "prior": np.nan,
                    "basis": basis,
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


class Basis(StrEnum):
    """Where an exit year's share comes from (the reports word it if they show it)."""

    RIKET = "riket"
    LAN_KOMMUNER = "lan_kommuner"  # the län's kommuner, weighted by leavers
    LAN = "lan"  # the kommun's own value is missing
    KOMMUN_LAN = "kommun_lan"  # the kommun's value shrunk towards the län's (column weight)
    FIRST_YEAR = "first_year"  # before the first year with the KPI: that year's share
    RECENT_MEAN = "recent_mean"  # after the last year: mean of the recent years (assumption)


def _basis(level: str, r: pd.Series) -> Basis:
    if level == "riket":
        return Basis.RIKET
    if level == "lan":
        return Basis.LAN_KOMMUNER
    if pd.isna(r["own"]):
        return Basis.LAN
    return Basis.KOMMUN_LAN


def peer_target(
    estimates: "Estimates",
    members: list[str],
    years: list[int],
    quantile: float,
) -> dict[str, float]:
    """The `quantile` (0,9: the best tenth) of the members' shares over `years`, by gender —
    each member's share is its leavers-weighted mean over those years of the shrunk estimate,
    so a small kommun's one lucky year does not set the target."""
    t = estimates.table.reset_index()
    t = t[t["area_code"].isin(members) & t["year"].isin(years)].dropna(subset=["share", "leavers"])
    t = t[t["leavers"] > 0]
    g = t.assign(x=t["share"] * t["leavers"]).groupby(["gender", "area_code"])
    means = g["x"].sum() / g["leavers"].sum()
    out = {}
    for gender in GENDERS:
        values = means.get(gender, pd.Series(dtype=float)) if gender in means.index else []
        out[gender] = float(np.quantile(values, quantile)) if len(values) else float("nan")
    return out


__all__ = ["COLUMNS", "KPI", "Basis", "Estimates", "exit_shares", "kommun_lan_riket", "peer_target"]
