"""Share in work or studies 90 days after the programme (Kolada N00973), by exit year and gender.

Looked up for the kommun, else its län, else riket, else the parameter `exit_share`. A level
with only the total (T) is split by gender with the parameter's women/men ratio, keeping T.
"""

import pandas as pd

from .entrants import GENDERS
from .params import KefuParams

KPI = "N00973"
LEVEL_LABELS = {"kommun": "kommunen", "lan": "länet", "riket": "riket", "parameter": "parametern"}


def _rows(kpi_values: pd.DataFrame | None, area_code: str, year: int) -> dict[str, float]:
    if kpi_values is None or kpi_values.empty:
        return {}
    rows = kpi_values[
        (kpi_values["kpi"] == KPI)
        & (kpi_values["area_code"] == area_code)
        & (kpi_values["year"] == year)
        & kpi_values["value"].notna()
    ]
    # Fetched Kolada rows before hand-transcribed copies of the same figure.
    rows = rows.assign(_transcribed=rows["source"].str.contains("transkriberad", na=False))
    rows = rows.sort_values(["_transcribed", "source"])
    return {g: float(v) / 100 for g, v in rows.groupby("gender")["value"].first().items()}


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
    areas = []
    if kommun_code:
        areas = [("kommun", kommun_code), ("lan", "00" + kommun_code[:2]), ("riket", "0000")]
    out = []
    for year in sorted({int(y) for y in years}):
        shares, level, note = None, "parameter", "exit_share i parameterfilen"
        for lvl, code in areas:
            found = _rows(kpi_values, code, year)
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
