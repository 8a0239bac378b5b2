"""Share in work or studies 90 days after the programme (Kolada N00973), by exit year and gender.

Looked up for the kommun, else its län, else riket, else the parameter `exit_share`. A level
with only the total (T) is split by gender with the parameter's women/men ratio, keeping T.
"""

import pandas as pd

from .. import kpis, panel
from .entrants import GENDERS
from .params import KefuParams

KPI = kpis.WORK_OR_STUDIES
LEVEL_LABELS = {"kommun": "kommunen", "lan": "länet", "riket": "riket", "parameter": "parametern"}


def _lookup(kpi_values: pd.DataFrame | None) -> dict[tuple[str, int], dict[str, float]]:
    """{(area, year): {gender: share 0–1}} for N00973, built in one pass."""
    if kpi_values is None or kpi_values.empty:
        return {}
    rows = panel.values(kpi_values, KPI)
    out: dict[tuple[str, int], dict[str, float]] = {}
    for area, year, gender, value in rows[["area_code", "year", "gender", "value"]].itertuples(
        index=False
    ):
        out.setdefault((area, int(year)), {})[gender] = float(value) / 100
    return out


def _split_total(total: float, params: KefuParams) -> dict[str, float]:
    w, m = params.exit_share.women.value, params.exit_share.men.value
    ws = params.population.women_share.value
    mix = ws * w + (1 - ws) * m
    scale = total / mix if mix > 0 else 0.0
    return {"K": min(1.0, w * scale), "M": min(1.0, m * scale)}


def exit_shares(
    kommun_code: str | None, years, kpi_values: pd.DataFrame | None, params: KefuParams
) -> pd.DataFrame:
    """(exit_year, gender, in_work_share, level, note) for every year in `years`."""
    lookup = _lookup(kpi_values)
    areas = []
    if kommun_code:
        areas = [("kommun", kommun_code), ("lan", "00" + kommun_code[:2]), ("riket", "0000")]
    out = []
    for year in sorted({int(y) for y in years}):
        shares, level, note = None, "parameter", "exit_share i parameterfilen"
        for lvl, code in areas:
            found = lookup.get((code, year), {})
            if all(g in found for g in GENDERS):
                shares, level, note = {g: found[g] for g in GENDERS}, lvl, f"{KPI} {code} K/M"
                break
            if "T" in found:
                shares, level = _split_total(found["T"], params), lvl
                note = f"{KPI} {code} totalt, delat på kön med parameterkvoten"
                break
        if shares is None:
            shares = {"K": params.exit_share.women.value, "M": params.exit_share.men.value}
        for g in GENDERS:
            out.append(
                {
                    "exit_year": year,
                    "gender": g,
                    "in_work_share": shares[g],
                    "level": level,
                    "note": note,
                }
            )
    return pd.DataFrame(out, columns=["exit_year", "gender", "in_work_share", "level", "note"])
