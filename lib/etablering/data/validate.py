"""The identities published KPI values must satisfy, checked on every import and fetch.

A scrape or re-share is validated like any published file. A row that breaks an identity is
flagged: it leaves `kpi_values` for `kpi_flags`, named with its file, area, year, KPI, values
and the rule, so no report or model uses it and `etablering data status` lists it. Rules and
tolerances (measured on the August 2024 dump, 264 000 rows):

- Domain: finite; counts, rates and kr figures ≥ 0 unless the KPI is signed (net costs,
  deviations); shares within 0–100.
- Women + men = total for counts split by gender. Exact in 99.9 % of the dump's rows; the
  tolerance is half a person. On failure the split (K and M) is flagged: the total is the
  figure that also adds up over the kommuner.
- Shares of a count KPI (N009xx of N00960/N00964): share × count / 100 is a whole number of
  persons (true for every row of the dump to within 0.02) and women's + men's numerators make
  the total's. Tolerance 0.02 persons, plus what rounding the share to the decimals it is
  published with could move (the dump has six decimals; a whole-percent value is allowed half a
  percent of the count). A share whose numerator is not whole is flagged (this also catches
  riket 2021, where Kolada repeats the total's share for women and men); a broken split flags
  K and M.
- Other shares split by gender: the total is a weighted mean, so it lies between women's and
  men's share (± 0.05 points, rounding to one decimal). Otherwise K and M are flagged.
- Additive counts: the kommuner add up to their län and riket. The dump's complete years agree
  within 0.63 % (Socialstyrelsen's riket holds payments it places in no kommun); tolerance 1 %.
  Where some kommuner have no value, their sum may only fall short. The parent is flagged.
  Heby (0331) belonged to Västmanland in Kolada's län figures up to 2005.
- Rates: per-1 000 and kr/inv figures equal count / population × scale with the population
  year the KPI's description gives (observed: 99 % within 0.03 %); tolerance 0.5 %. The rate
  is flagged (its count is checked by the sums above).
- Population: Kolada's N01951 equals SCB's own file wherever both have the year (all 870
  kommun-years 2020–2022); any difference flags the Kolada row, and SCB's file is used.
- Transcriptions (whole percent) lie within 0.5 points of Kolada's value; otherwise the
  transcribed row is flagged.
"""

import numpy as np
import pandas as pd

from . import kpis
from .kpis import Unit
from .origin import Origin
from .parse.ddf import FLAG_COLUMNS

KEY = ["kpi", "area_code", "year", "gender", "origin"]
HALF_PERSON = 0.5
WHOLE_TOLERANCE = 0.02
SHARE_ROUNDING = 0.05  # percentage points
SUM_TOLERANCE = 0.01
RATE_TOLERANCE = 0.005
TRANSCRIBED_TOLERANCE = 0.5
# kommun -> (län it belonged to in Kolada's län figures, last year it did)
BOUNDARY_CHANGES = {"0331": ("19", 2005)}


def check(
    kpi_values: pd.DataFrame, areas: pd.DataFrame, scb_population: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows that pass, flagged rows with FLAG_COLUMNS). Synthetic rows are not checked."""
    frame = kpi_values.reset_index(drop=True)
    passed = frame[frame["origin"] != Origin.SYNTHETIC]
    # In stages, each on the rows that passed the ones before, so a bad row is blamed once:
    # a population that differs from SCB's is not also a broken women/men split, and a
    # kommun whose split is broken does not make its riket's sum look wrong.
    stages = [
        [_domain, lambda f: _population(f, scb_population)],
        [_gender_counts],
        [lambda f: _sums(f, areas)],
        [_share_numerators, _share_between, _rates, _transcribed],
    ]
    found = []
    for stage in stages:
        hits = [rule(passed) for rule in stage]
        found += hits
        caught = np.unique(np.concatenate([h.index.to_numpy(dtype=int) for h in hits]))
        passed = passed.drop(index=caught)
    flagged = pd.concat([f for f in found if len(f)], ignore_index=False)
    if flagged.empty:
        return frame, _empty_flags()
    flagged = flagged[~flagged.index.duplicated(keep="first")]  # first rule that caught it
    rows = frame.loc[flagged.index]
    flags = rows.assign(
        rule=flagged["rule"],
        detail=flagged["detail"],
        line=np.nan,
        source_file=rows.get("source_file", pd.Series("", index=rows.index)),
    )
    clean = frame.drop(index=flagged.index).reset_index(drop=True)
    return clean, flags[FLAG_COLUMNS].reset_index(drop=True)


def _empty_flags() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FLAG_COLUMNS})


def rounding(values: pd.Series) -> pd.Series:
    """Half a unit in the last decimal each value is published with (0,5 for whole percents,
    0,000 000 5 for the dump's six decimals): what rounding alone can move it by."""
    v = values.to_numpy(dtype=float)
    half = np.full(v.shape, 0.5)
    found = np.zeros(v.shape, dtype=bool)
    for decimals in range(9):
        scaled = v * 10.0**decimals
        exact = ~found & (np.abs(scaled - np.round(scaled)) < 1e-6 * np.maximum(1, np.abs(scaled)))
        half[exact] = 0.5 * 10.0**-decimals
        found |= exact
    half[~found] = 0.5e-8
    return pd.Series(half, index=values.index)


def _hits(index, rule: str, detail) -> pd.DataFrame:
    return pd.DataFrame({"rule": rule, "detail": detail}, index=index)


def _num(x: float) -> str:
    """'25 393', '62,3', '1 069,07' for messages (a plain space: they go to a terminal)."""
    if pd.isna(x):
        return "–"
    text = f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",")


def _of_kpis(frame: pd.DataFrame, ids) -> pd.DataFrame:
    return frame[frame["kpi"].isin(list(ids))]


def _wide(frame: pd.DataFrame, index: list[str]) -> pd.DataFrame:
    """value per gender (columns K, M, T) and the row index of each, for one origin's rows."""
    values = frame.pivot_table(index=index, columns="gender", values="value", aggfunc="first")
    rows = frame.reset_index().pivot_table(
        index=index, columns="gender", values="index", aggfunc="first"
    )
    return values.join(rows.add_suffix("_row"))


# --- the rules --------------------------------------------------------------------------------


def _domain(frame: pd.DataFrame) -> pd.DataFrame:
    catalogue = kpis.CATALOGUE.values()
    low = frame["kpi"].map({k.id: k.lowest for k in catalogue if k.lowest is not None})
    high = frame["kpi"].map({k.id: k.highest for k in catalogue if k.highest is not None})
    v = frame["value"]
    below = low.notna() & (v < low)
    above = high.notna() & (v > high)
    nonfinite = v.notna() & ~np.isfinite(v.to_numpy(dtype=float, na_value=np.nan))
    bad = below | above | nonfinite
    detail = [
        f"värdet {_num(x)} ligger utanför {_domain_text(kpis.CATALOGUE.get(k))}"
        for x, k in zip(v[bad], frame.loc[bad, "kpi"], strict=True)
    ]
    return _hits(frame.index[bad], "utanför definitionsområdet", detail)


def _domain_text(kpi) -> str:
    if kpi is None or kpi.highest is None:
        return "0 och uppåt"
    return f"0–{kpi.highest:g}"


def _gender_counts(frame: pd.DataFrame) -> pd.DataFrame:
    ids = [k.id for k in kpis.CATALOGUE.values() if k.unit is Unit.COUNT and k.by_gender]
    part = _of_kpis(frame, ids)
    if part.empty:
        return _hits([], "", [])
    w = _wide(part, ["kpi", "area_code", "year", "origin"])
    if not {"K", "M", "T"} <= set(w.columns):
        return _hits([], "", [])
    diff = (w["K"] + w["M"] - w["T"]).abs()
    bad = w[diff > HALF_PERSON]
    detail = [
        f"kvinnor {_num(r.K)} + män {_num(r.M)} = {_num(r.K + r.M)}, men totalt {_num(r.T)}"
        for r in bad.itertuples()
    ]
    return _split_hits(bad, "kvinnor + män ≠ totalt", detail)


def _split_hits(bad: pd.DataFrame, rule: str, detail: list[str]) -> pd.DataFrame:
    """Flag the K and M rows of each bad (kpi, area, year, origin)."""
    index, details = [], []
    for (k_row, m_row), text in zip(bad[["K_row", "M_row"]].to_numpy(), detail, strict=True):
        for row in (k_row, m_row):
            if pd.notna(row):
                index.append(int(row))
                details.append(text)
    return _hits(index, rule, details)


def _share_numerators(frame: pd.DataFrame) -> pd.DataFrame:
    found = []
    for kpi in kpis.CATALOGUE.values():
        if kpi.denominator is None:
            continue
        share = frame[frame["kpi"] == kpi.id]
        count = frame[frame["kpi"] == kpi.denominator]
        if share.empty or count.empty:
            continue
        key = ["area_code", "year", "gender", "origin"]
        merged = (
            share.reset_index()
            .merge(count[[*key, "value"]], on=key, suffixes=("", "_n"))
            .set_index("index")
        )
        num = merged["value"] / 100 * merged["value_n"]
        tol = WHOLE_TOLERANCE + rounding(merged["value"]) / 100 * merged["value_n"]
        bad = (num - num.round()).abs() > tol
        detail = [
            f"{_num(s)} % av {_num(n)} ({kpi.denominator}) = {_num(n * s / 100)} personer, inget helt antal"
            for s, n in zip(merged.loc[bad, "value"], merged.loc[bad, "value_n"], strict=True)
        ]
        found.append(_hits(merged.index[bad], "andelen ger inget helt antal personer", detail))
        # women's and men's numerators add up to the total's
        good = merged[~bad].assign(num=num[~bad])
        if good.empty:
            continue
        w = good.reset_index().pivot_table(
            index=["area_code", "year", "origin"],
            columns="gender",
            values=["num", "index", "value_n"],
        )
        if not {"K", "M", "T"} <= set(w["num"].columns):
            continue
        n_all = w["value_n"][["K", "M", "T"]].sum(axis=1)
        diff = (w["num"]["K"] + w["num"]["M"] - w["num"]["T"]).abs()
        bad_split = w[diff > HALF_PERSON + SHARE_ROUNDING / 100 * n_all]
        rows = pd.DataFrame({"K_row": bad_split["index"]["K"], "M_row": bad_split["index"]["M"]})
        detail = [
            f"kvinnor {_num(k)} + män {_num(m)} personer ≠ totalt {_num(t)} ({kpi.denominator} × andel)"
            for k, m, t in bad_split["num"][["K", "M", "T"]].to_numpy()
        ]
        found.append(_split_hits(rows, "kvinnor + män ≠ totalt (antal bakom andelarna)", detail))
    return pd.concat(found) if found else _hits([], "", [])


def _share_between(frame: pd.DataFrame) -> pd.DataFrame:
    ids = [
        k.id
        for k in kpis.CATALOGUE.values()
        if k.unit is Unit.SHARE and k.by_gender and k.denominator is None
    ]
    part = _of_kpis(frame, ids)
    if part.empty:
        return _hits([], "", [])
    w = _wide(part, ["kpi", "area_code", "year", "origin"]).dropna(subset=["K", "M", "T"])
    low = np.minimum(w["K"], w["M"]) - SHARE_ROUNDING
    high = np.maximum(w["K"], w["M"]) + SHARE_ROUNDING
    bad = w[(w["T"] < low) | (w["T"] > high)]
    detail = [
        f"totalt {_num(r.T)} % ligger utanför kvinnor {_num(r.K)} % och män {_num(r.M)} %"
        for r in bad.itertuples()
    ]
    return _split_hits(bad, "totalen ligger utanför kvinnors och mäns andelar", detail)


def _sums(frame: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    ids = [k.id for k in kpis.CATALOGUE.values() if k.additive]
    part = _of_kpis(frame, ids)
    if part.empty:
        return _hits([], "", [])
    kommun_lan = areas.loc[areas["kind"] == "kommun"].set_index("code")["lan_code"]
    kommuner = part[part["area_code"].isin(kommun_lan.index)]
    lan = kommuner["area_code"].map(kommun_lan)
    for code, (old_lan, last_year) in BOUNDARY_CHANGES.items():
        lan = lan.mask((kommuner["area_code"] == code) & (kommuner["year"] <= last_year), old_lan)
    n_in_lan = kommun_lan.value_counts()
    groups = ["kpi", "year", "gender", "origin"]
    found = []
    parents = [
        ("0000", kommuner.assign(parent="0000"), len(kommun_lan)),
        (None, kommuner.assign(parent="00" + lan), None),
    ]
    for riket, rows, _ in parents:
        sums = rows.groupby([*groups, "parent"])["value"].agg(total="sum", n="count").reset_index()
        sums["expected_n"] = (
            len(kommun_lan) if riket else sums["parent"].str[2:].map(n_in_lan).fillna(0)
        )
        target = part.reset_index().rename(columns={"area_code": "parent"})
        merged = sums.merge(target[[*groups, "parent", "value", "index"]], on=[*groups, "parent"])
        complete = merged["n"] >= merged["expected_n"]
        over = merged["total"] > merged["value"] * (1 + SUM_TOLERANCE) + HALF_PERSON
        under = complete & (merged["total"] < merged["value"] * (1 - SUM_TOLERANCE) - HALF_PERSON)
        bad = merged[over | under]
        detail = [
            f"{int(r.n)} kommuner summerar till {_num(r.total)}, "
            f"{'riket' if r.parent == '0000' else 'länet'} har {_num(r.value)}"
            for r in bad.itertuples()
        ]
        found.append(_hits(bad["index"].to_numpy(), "kommunernas summa stämmer inte", detail))
    return pd.concat(found)


def _rates(frame: pd.DataFrame) -> pd.DataFrame:
    pop = frame[frame["kpi"] == kpis.POPULATION][["area_code", "year", "gender", "origin", "value"]]
    found = []
    for kpi in kpis.CATALOGUE.values():
        if kpi.rate_of is None:
            continue
        rate = frame[frame["kpi"] == kpi.id]
        count = frame[frame["kpi"] == kpi.rate_of.numerator]
        if rate.empty or count.empty:
            continue
        key = ["area_code", "year", "gender", "origin"]
        lagged = pop.assign(year=pop["year"] + kpi.rate_of.population_lag)
        merged = (
            rate.reset_index()
            .merge(count[[*key, "value"]], on=key, suffixes=("", "_count"))
            .merge(lagged.rename(columns={"value": "population"}), on=key)
            .set_index("index")
        )
        merged = merged[merged["population"] > 0]
        expected = merged["value_count"] * kpi.rate_of.scale / merged["population"]
        bad = (merged["value"] - expected).abs() > RATE_TOLERANCE * expected.abs() + 0.005
        year_word = "föregående års" if kpi.rate_of.population_lag else "årets"
        detail = [
            f"{_num(v)} men {kpi.rate_of.numerator} {_num(c)} / {year_word} folkmängd {_num(p)} "
            f"ger {e:.2f}"
            for v, c, p, e in zip(
                merged.loc[bad, "value"],
                merged.loc[bad, "value_count"],
                merged.loc[bad, "population"],
                expected[bad],
                strict=True,
            )
        ]
        found.append(_hits(merged.index[bad], "stämmer inte med antal och folkmängd", detail))
    return pd.concat(found) if found else _hits([], "", [])


def _population(frame: pd.DataFrame, scb: pd.DataFrame | None) -> pd.DataFrame:
    if scb is None or scb.empty:
        return _hits([], "", [])
    kolada = frame[(frame["kpi"] == kpis.POPULATION) & (frame["gender"] == "T")].reset_index()
    merged = kolada.merge(
        scb[["area_code", "year", "population"]], on=["area_code", "year"]
    ).set_index("index")
    bad = (merged["value"] - merged["population"]).abs() > HALF_PERSON
    detail = [
        f"Kolada {_num(v)}, SCB:s fil {_num(p)}"
        for v, p in zip(merged.loc[bad, "value"], merged.loc[bad, "population"], strict=True)
    ]
    return _hits(merged.index[bad], "folkmängden skiljer sig från SCB:s fil", detail)


def _transcribed(frame: pd.DataFrame) -> pd.DataFrame:
    mask = frame["origin"] == Origin.TRANSCRIBED
    if not mask.any():
        return _hits([], "", [])
    key = ["kpi", "area_code", "year", "gender"]
    merged = (
        frame[mask]
        .reset_index()
        .merge(frame[~mask][[*key, "value", "origin"]], on=key, suffixes=("", "_other"))
        .set_index("index")
    )
    bad = merged[(merged["value"] - merged["value_other"]).abs() > TRANSCRIBED_TOLERANCE]
    bad = bad[~bad.index.duplicated()]
    detail = [
        f"transkriberat {_num(v)}, Kolada {_num(o)}"
        for v, o in zip(bad["value"], bad["value_other"], strict=True)
    ]
    return _hits(bad.index, "skiljer sig från Kolada", detail)
