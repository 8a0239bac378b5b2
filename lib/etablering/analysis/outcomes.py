"""Utfall efter etableringsuppdraget: shares with honest uncertainty, gender gaps and models.

Pure functions, tables in and tables out. The input is the long `kpi_values` table (schemas.py);
shares are in percent (0–100) as Kolada publishes them, proportions inside the models are 0–1.

Kolada publishes N00973 (i arbete eller studier 90 dagar efter etableringsuppdraget) as a
rounded percentage only. The number of people behind it is N00964 (lämnat etableringsuppdraget
under året); the KPI's `count` column is Kolada's aggregation count and is never used as a
cohort size. Without N00964 there is no interval, and cohorts under SMALL_COHORT get none
either: nothing here pretends to a precision the data do not have, and nothing missing is
filled with 0.

Synthetic rows (origin `syntetisk`, see `demo`) and real rows are never mixed in one result:
every function that reads `kpi_values` takes ``synthetic`` and keeps only one kind. Among several
real origins for the same value the newest Kolada figure wins (origin.prefer).
"""

import re
import warnings
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from ..core import fmt
from ..core.errors import MissingDataError, ParameterError
from ..data import kpis
from ..data import panel as kpi_panel

SMALL_COHORT = 10
HEADLINE_KPI = kpis.WORK_OR_STUDIES
COHORT_KPI = kpis.LEFT
KEY = ["kpi", "area_code", "year", "gender"]
OUT_GENDERS = ("K", "M", "T")


class Note(StrEnum):
    """Why a row's value or interval is missing, or what the row stands for instead. The
    reports word it (notebooks/texts/02-etablering.toml, [note]); the values a wording needs
    are in the row (kolada_status, base_n − covered_n, kolada_pct)."""

    NONE = ""
    NO_YEAR = "no_year"  # neither share nor leavers for the year
    NO_SHARE = "no_share"  # leavers counted, no share published
    SHARE_STATUS = "share_status"  # Kolada has the row without a value (kolada_status says why)
    NO_COHORT = "no_cohort"  # no leavers: no interval
    SMALL = "small"  # fewer than SMALL_COHORT leavers: no interval
    ZERO = "zero"  # no one left
    NO_WOMEN = "no_women"  # gap table: a gender's share missing
    NO_MEN = "no_men"
    NO_WOMEN_MEN = "no_women_men"
    NO_SHARE_ANY_KOMMUN = "no_share_any_kommun"  # a sum: no kommun has a share
    KOMMUNER_LEFT_OUT = "kommuner_left_out"  # a sum: some leavers are in kommuner without one
    KOLADA_CONTRADICTED = "kolada_contradicted"  # Kolada's own value fails its kommuner's sum
    RIKET_MISSING = "riket_missing"  # riket's own value flagged or not published


COHORT_HINT = (
    f"Antalet som lämnat etableringsuppdraget (Kolada {kpis.LEFT}) behövs för osäkerheten; hämta det "
    "med `etablering data fetch --group etablering`, eller prova metoden på demodata "
    "(`etablering data demo`, rapporten med `--demo`)."
)

OUTCOME_COLUMNS = [
    "year",
    "gender",
    "share_pct",
    "cohort_n",
    "successes",
    "low_pct",
    "high_pct",
    "note",
    "kolada_status",
    "origin",
    "retrieved",
]
# --- small helpers ------------------------------------------------------------------------


def _floats(values) -> np.ndarray:
    """Anything array-like (nullable pandas arrays included) as a float array, NA -> NaN."""
    if isinstance(values, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        return pd.Series(values).to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(values, dtype=float)


def _round_half_up(x):
    return np.floor(np.asarray(x, dtype=float) + 0.5)


def _usable(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Where a proportion x/n may get an interval: finite, 0 <= x <= n and n >= SMALL_COHORT."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(x) & np.isfinite(n) & (n >= SMALL_COHORT) & (x >= 0) & (x <= n)


def _area_code(area_code) -> str:
    code = getattr(area_code, "code", area_code)
    if not isinstance(code, str) or not re.fullmatch(r"\d{4}", code):
        raise ParameterError(
            f"Områdeskoden {area_code!r} ska vara en text med fyra siffror, t.ex. '0680' eller "
            "'0000' för riket (en inledande nolla försvinner om koden läses som ett tal)."
        )
    return code


# --- intervals ----------------------------------------------------------------------------


def wilson_interval(successes, n, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for successes/n, in percent; NaN where n < SMALL_COHORT or unknown.

    Vectorised: inputs broadcast against each other and the two arrays have their shape.
    """
    x, nn = np.broadcast_arrays(_floats(successes), _floats(n))
    shape = x.shape
    x, nn = x.ravel(), nn.ravel()
    low = np.full(x.shape, np.nan)
    high = np.full(x.shape, np.nan)
    ok = _usable(x, nn)
    if ok.any():
        lo, hi = proportion_confint(x[ok], nn[ok], alpha=alpha, method="wilson")
        low[ok], high[ok] = 100.0 * np.asarray(lo), 100.0 * np.asarray(hi)
    return low.reshape(shape), high.reshape(shape)


def gap_interval(x_women, n_women, x_men, n_men, alpha: float = 0.05) -> pd.DataFrame:
    """Women − men in percentage points, Newcombe's hybrid score interval, z-test p-value.

    One row per (broadcast) element with columns gap_pp, gap_low, gap_high, p_value; all NaN
    where either cohort is unknown or under SMALL_COHORT. The p-value is the two-sided pooled
    two-proportion z-test; it is NaN when both shares are 0 % or both 100 % (no variation).
    """
    arrays = np.broadcast_arrays(*(_floats(a) for a in (x_women, n_women, x_men, n_men)))
    x1, n1, x2, n2 = (np.atleast_1d(a).ravel() for a in arrays)
    ok = _usable(x1, n1) & _usable(x2, n2)
    out = pd.DataFrame(np.nan, index=range(len(x1)), columns=["gap_pp", "gap_low", "gap_high"])
    out["p_value"] = np.nan
    if ok.any():
        gap = x1[ok] / n1[ok] - x2[ok] / n2[ok]
        low, high = confint_proportions_2indep(
            x1[ok], n1[ok], x2[ok], n2[ok], method="newcomb", compare="diff", alpha=alpha
        )
        out.loc[ok, "gap_pp"] = 100.0 * gap
        out.loc[ok, "gap_low"] = 100.0 * np.asarray(low)
        out.loc[ok, "gap_high"] = 100.0 * np.asarray(high)
        pvals = []
        for a, na, b, nb in zip(x1[ok], n1[ok], x2[ok], n2[ok], strict=True):
            pooled = (a + b) / (na + nb)
            if 0.0 < pooled < 1.0:
                pvals.append(float(proportions_ztest(np.array([a, b]), np.array([na, nb]))[1]))
            else:
                pvals.append(np.nan)
        out.loc[ok, "p_value"] = pvals
    return out


# --- tables for one area ------------------------------------------------------------------


def _note(present: bool, share: float, cohort: float) -> Note:
    if cohort == 0:
        return Note.ZERO
    if not present:
        return Note.NO_SHARE if np.isfinite(cohort) else Note.NO_YEAR
    if np.isnan(share):
        return Note.SHARE_STATUS
    if np.isnan(cohort):
        return Note.NO_COHORT
    if cohort < SMALL_COHORT:
        return Note.SMALL
    return Note.NONE


def outcome_table(
    kpi_values: pd.DataFrame,
    area_code,
    kpi: str = HEADLINE_KPI,
    cohort_kpi: str = COHORT_KPI,
    years=None,
    synthetic: bool = False,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """One row per (year, gender K/M/T) for one area: share, cohort, successes, Wilson interval.

    successes = round(share/100 · n) (half up) where both share and cohort exist, else NA. The
    note says in Swedish why a value or interval is missing; it is "" when nothing is.
    `years=None` gives every year that has the share or the cohort; requested years without
    data get rows with NA and the note "uppgift saknas för året".
    """
    code = _area_code(area_code)
    kv = kpi_panel.values(kpi_values, [kpi, cohort_kpi], code, synthetic=synthetic)
    share = kv[kv["kpi"] == kpi].set_index(["year", "gender"])
    cohort = kv[kv["kpi"] == cohort_kpi].set_index(["year", "gender"])["value"]
    found = [y for y, _ in share.index] + [y for y, _ in cohort.index]
    index = _year_gender_index(years, found)
    sh = share["value"].reindex(index).to_numpy(dtype=float)
    n = cohort.reindex(index).to_numpy(dtype=float)
    present = index.isin(share.index)
    status = share["status"].reindex(index).fillna("").astype(str)
    with np.errstate(invalid="ignore"):
        succ = np.where(np.isfinite(sh) & np.isfinite(n), _round_half_up(sh / 100.0 * n), np.nan)
    out = _outcome_frame(
        index,
        sh,
        n,
        succ,
        alpha,
        note=[_note(p, s, c) for p, s, c in zip(present, sh, n, strict=True)],
        kolada_status=status.str.strip().to_numpy(),
        origin=share["origin"].reindex(index).astype(object).where(present, None).to_numpy(),
        retrieved=share["retrieved"].reindex(index).astype(object).where(present, None).to_numpy(),
    )
    out["gender"] = out["gender"].astype(str)
    return out[OUTCOME_COLUMNS]


def _year_gender_index(years, found) -> pd.MultiIndex:
    """(year, gender K/M/T) for the requested `years`, or for every year `found` in the data."""
    wanted = sorted({int(y) for y in (found if years is None else years)})
    return pd.MultiIndex.from_product([wanted, OUT_GENDERS], names=["year", "gender"])


def _outcome_frame(index, share, n, successes, alpha: float, **more) -> pd.DataFrame:
    """An outcome table over `index`: share, cohort, successes and their Wilson interval, then
    the columns in `more` (note, origin, …) in their order; year and gender as columns.
    Built at once: inserting columns one by one is slow with pandas 3's Arrow-backed index."""
    low, high = wilson_interval(successes, n, alpha)
    columns = {
        "share_pct": share,
        "cohort_n": n,
        "successes": pd.array(successes, dtype="Float64").astype("Int64"),
        "low_pct": low,
        "high_pct": high,
        **more,
    }
    out = pd.DataFrame(columns, index=index).reset_index()
    out["year"] = out["year"].astype(int)
    return out


def gender_gap_table(outcome_table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Per year: women's and men's share, gap K − M in pp with Newcombe interval and p-value.

    gap_pp is the difference of the published (rounded) shares; the interval and the z-test use
    the successes reconstructed from share and cohort, so the interval's centre can differ from
    gap_pp by rounding (well under 1 pp for cohorts of some size).
    """
    ot = outcome_table.set_index(["year", "gender"])
    years = sorted(outcome_table["year"].unique())

    def col(gender: str, name: str) -> np.ndarray:
        idx = pd.MultiIndex.from_product([years, [gender]])
        return _floats(ot[name].reindex(idx))

    out = pd.DataFrame({"year": np.asarray(years, dtype=int)})
    out["women_pct"], out["men_pct"] = col("K", "share_pct"), col("M", "share_pct")
    out["n_women"], out["n_men"] = col("K", "cohort_n"), col("M", "cohort_n")
    out["gap_pp"] = out["women_pct"] - out["men_pct"]
    gi = gap_interval(
        col("K", "successes"), out["n_women"], col("M", "successes"), out["n_men"], alpha
    )
    out["gap_low"], out["gap_high"], out["p_value"] = (
        gi["gap_low"].to_numpy(),
        gi["gap_high"].to_numpy(),
        gi["p_value"].to_numpy(),
    )
    notes = []
    for w, m, nw, nm in out[["women_pct", "men_pct", "n_women", "n_men"]].to_numpy():
        if np.isnan(w) or np.isnan(m):
            notes.append(
                Note.NO_WOMEN_MEN
                if np.isnan(w) and np.isnan(m)
                else (Note.NO_WOMEN if np.isnan(w) else Note.NO_MEN)
            )
        elif nw == 0 or nm == 0:
            notes.append(Note.ZERO)
        elif np.isnan(nw) or np.isnan(nm):
            notes.append(Note.NO_COHORT)
        elif min(nw, nm) < SMALL_COHORT:
            notes.append(Note.SMALL)
        else:
            notes.append(Note.NONE)
    out["note"] = notes
    return out


# --- trend model for one area -------------------------------------------------------------


@dataclass
class TrendResult:
    """Binomial GLM of the outcome on gender × year for one area.

    predictions: year, gender, share_pct (observed), cohort_n, pred_pct, low_pct, high_pct
      (95 % confidence interval of the modelled share, t quantiles with df_resid).
    gender_effect: one row, log odds ratio women vs men at `centre_year`, with CI and p-value.
    coefficients: every model term with CI.
    dispersion: Pearson χ²/df; when > 1 the covariance is scaled by it (quasi-binomial).
    """

    predictions: pd.DataFrame
    gender_effect: pd.DataFrame
    coefficients: pd.DataFrame
    dispersion: float
    quasi: bool
    centre_year: float
    result: object

    @property
    def df_resid(self) -> float:
        return float(self.result.df_resid)


def _coef_table(result, alpha: float, labels: dict[str, str] | None = None) -> pd.DataFrame:
    ci = np.asarray(result.conf_int(alpha))
    table = pd.DataFrame(
        {
            "term": list(result.params.index),
            "estimate": np.asarray(result.params),
            "std_error": np.asarray(result.bse),
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "p_value": np.asarray(result.pvalues),
        }
    )
    table["odds_ratio"] = np.exp(table["estimate"])
    if labels is not None:
        table.insert(1, "label", [labels.get(t, t) for t in table["term"]])
    return table


def _fit_quasi(model):
    """Fit; refit with the Pearson scale (quasi-binomial) when the data are overdispersed.

    Inference uses t(df_resid) quantiles: a kommun's trend has 2–14 residual degrees of
    freedom, and with the estimated scale normal quantiles gave 91–93 % coverage of 95 %
    intervals in simulation, t quantiles 95–97 %.
    """
    first = model.fit(use_t=True)
    dispersion = float(first.pearson_chi2 / first.df_resid) if first.df_resid > 0 else float("nan")
    if np.isfinite(dispersion) and dispersion > 1.0:
        # the Pearson scale passed as a number: statsmodels' scale="X2" computes it on the
        # proportion scale when the response is (successes, failures), which is wrong here
        return model.fit(scale=dispersion, use_t=True), dispersion, True
    return first, dispersion, False


def trend_model(outcome_table: pd.DataFrame, alpha: float = 0.05) -> TrendResult:
    """Binomial GLM of success on C(gender) * year_c for the K and M rows with cohort sizes.

    year_c is the year minus the mean of the years used, so the gender term is the women − men
    log odds ratio in the middle of the period. Raises MissingDataError (in Swedish) when fewer
    than 3 years have cohort sizes for both women and men, or when the groups are so small that
    the shares separate them completely (no finite estimate).
    """
    data = outcome_table[outcome_table["gender"].isin(["K", "M"])].copy()
    data["successes"] = _floats(data["successes"])
    data["cohort_n"] = _floats(data["cohort_n"])
    data = data[np.isfinite(data["successes"]) & (data["cohort_n"] > 0)]
    both = data.groupby("year")["gender"].nunique()
    years = sorted(int(y) for y in both[both == 2].index)
    if len(years) < 3:
        raise MissingDataError(
            "Trendmodellen behöver andel och antal som lämnat för både kvinnor och män under minst "
            f"3 år; det finns för {len(years)} år"
            + (f" ({', '.join(map(str, years))})." if years else "."),
            COHORT_HINT,
        )
    data = data[data["year"].isin(years)].copy()
    centre = float(np.mean(years))
    data["year_c"] = data["year"] - centre
    data["failures"] = data["cohort_n"] - data["successes"]
    model = smf.glm(
        "successes + failures ~ C(gender, Treatment('M')) * year_c",
        data=data[["successes", "failures", "gender", "year_c"]],
        family=sm.families.Binomial(),
    )
    with warnings.catch_warnings():
        # Ydre, Sorsele, Arjeplog: a handful who left, all or none in work in some group, and the
        # odds ratio runs off to 0 or 10^17 with an interval to infinity – no estimate at all
        warnings.simplefilter("error", PerfectSeparationWarning)
        try:
            result, dispersion, quasi = _fit_quasi(model)
        except PerfectSeparationWarning:
            women, men = (int(data.loc[data["gender"] == g, "cohort_n"].sum()) for g in "KM")
            raise MissingDataError(
                f"Trendmodellen går inte att skatta: bara {women} kvinnor och {men} män lämnade "
                f"under åren med uppgifter för båda ({', '.join(map(str, years))}), och i så små "
                "grupper skiljer andelarna (0 eller 100 %) helt mellan kvinnor och män eller "
                "mellan åren."
            ) from None

    grid = pd.DataFrame([(y, g) for y in years for g in ("K", "M")], columns=["year", "gender"])
    grid["year_c"] = grid["year"] - centre
    frame = result.get_prediction(grid).summary_frame(alpha=alpha)
    grid["pred_pct"] = 100.0 * frame["mean"].to_numpy()
    grid["low_pct"] = 100.0 * frame["mean_ci_lower"].to_numpy()
    grid["high_pct"] = 100.0 * frame["mean_ci_upper"].to_numpy()
    observed = data.set_index(["year", "gender"])[["share_pct", "cohort_n"]]
    grid = grid.join(observed, on=["year", "gender"])
    predictions = grid[
        ["year", "gender", "share_pct", "cohort_n", "pred_pct", "low_pct", "high_pct"]
    ]

    coefficients = _coef_table(
        result,
        alpha,
        {
            "Intercept": f"Konstant (logit, män {centre:g})",
            "C(gender, Treatment('M'))[T.K]": f"Kvinnor jämfört med män ({centre:g})",
            "year_c": "Förändring per år (män)",
            "C(gender, Treatment('M'))[T.K]:year_c": "Skillnad i årlig förändring, kvinnor − män",
        },
    )
    gender_effect = coefficients[coefficients["term"] == "C(gender, Treatment('M'))[T.K]"].copy()
    gender_effect["centre_year"] = centre
    return TrendResult(
        predictions=predictions.reset_index(drop=True),
        gender_effect=gender_effect.reset_index(drop=True),
        coefficients=coefficients,
        dispersion=dispersion,
        quasi=quasi,
        centre_year=centre,
        result=result,
    )


# --- areas made of kommuner: a län (Kolada has no län value) and riket as a check ---------


def kommun_counts(
    kpi_values: pd.DataFrame, kpi_ids=(HEADLINE_KPI,), synthetic: bool = False
) -> pd.DataFrame:
    """Per kommun, year, gender and share KPI: the persons behind the share and its base.

    Columns: kpi, area_code, year, gender, n (the base: N00964 for outcomes, N00960 for
    education), successes (share × n / 100, a whole number of persons in the dump), share_pct,
    origin, retrieved. A base without a share keeps successes NaN; a share without a base is left
    out (it cannot be weighted).
    """
    ids = [kpi_ids] if isinstance(kpi_ids, str) else list(kpi_ids)
    bases = sorted({kpis.get(k).denominator for k in ids})
    kv = kpi_panel.values(kpi_values, [*ids, *bases], synthetic=synthetic)
    kv = kv[~kv["area_code"].str.startswith("00")]
    key = ["area_code", "year", "gender"]
    parts = []
    for kpi in ids:
        base = kv[(kv["kpi"] == kpis.get(kpi).denominator) & kv["value"].notna()]
        share = kv[kv["kpi"] == kpi]
        merged = base[[*key, "value", "origin", "retrieved"]].merge(
            share[[*key, "value"]], on=key, how="left", suffixes=("_n", "")
        )
        with np.errstate(invalid="ignore"):
            successes = _round_half_up(merged["value"] / 100.0 * merged["value_n"])
        parts.append(
            pd.DataFrame(
                {
                    "kpi": kpi,
                    "area_code": merged["area_code"],
                    "year": merged["year"].astype(int),
                    "gender": merged["gender"],
                    "n": merged["value_n"].astype(float),
                    "successes": successes,
                    "share_pct": merged["value"].astype(float),
                    "origin": merged["origin"],
                    "retrieved": merged["retrieved"],
                }
            )
        )
    if not parts:
        return pd.DataFrame(
            columns=["kpi", "area_code", "year", "gender", "n", "successes", "share_pct"]
        )
    return pd.concat(parts, ignore_index=True)


def aggregate_table(
    counts: pd.DataFrame, codes, kpi: str = HEADLINE_KPI, years=None, alpha: float = 0.05
) -> pd.DataFrame:
    """An area's outcome table (OUTCOME_COLUMNS) as the sum over its kommuner `codes`.

    share = Σ successes / Σ leavers over the kommuner with both; `covered_n` is that Σ leavers,
    `base_n` all leavers in the kommuner, `n_kommuner` how many kommuner had a share. Where
    some kommuners' leavers have no share, the note is Note.KOMMUNER_LEFT_OUT.
    """
    rows = counts[(counts["kpi"] == kpi) & counts["area_code"].isin(list(codes))]
    both = rows[rows["successes"].notna()]
    sums = both.groupby(["year", "gender"])[["successes", "n"]].sum()
    base = rows.groupby(["year", "gender"])["n"].sum()
    kommuner = both.groupby(["year", "gender"])["area_code"].nunique()
    index = _year_gender_index(years, rows["year"].unique())
    x = sums["successes"].reindex(index).to_numpy(dtype=float)
    n = sums["n"].reindex(index).to_numpy(dtype=float)
    all_n = base.reindex(index).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n > 0, 100.0 * x / n, np.nan)
    notes = []
    for xi, ni, ai in zip(x, n, all_n, strict=True):
        if np.isnan(ai):
            notes.append(Note.NO_YEAR)
        elif ai == 0:
            notes.append(Note.ZERO)
        elif np.isnan(xi) or ni == 0:
            notes.append(Note.NO_SHARE_ANY_KOMMUN)
        elif ni < SMALL_COHORT:
            notes.append(Note.SMALL)
        elif ai > ni:
            notes.append(Note.KOMMUNER_LEFT_OUT)
        else:
            notes.append(Note.NONE)
    origin = both.groupby(["year", "gender"])["origin"].first().reindex(index)
    retrieved = both.groupby(["year", "gender"])["retrieved"].first().reindex(index)
    out = _outcome_frame(
        index,
        share,
        n,
        x,
        alpha,
        note=notes,
        kolada_status="",
        origin=origin.astype(object).where(origin.notna(), None).to_numpy(),
        retrieved=retrieved.astype(object).where(retrieved.notna(), None).to_numpy(),
        covered_n=n,
        base_n=all_n,
        n_kommuner=kommuner.reindex(index).fillna(0).astype(int).to_numpy(),
    )
    out["basis"] = "kommuner"
    return out


def consistent_with_kommuner(own: pd.DataFrame, summed: pd.DataFrame) -> pd.Series:
    """Whether Kolada's own value for an area can be what its kommuner add up to.

    The area's successes (share × leavers) must lie between the kommuners' successes and
    those plus every leaver the kommuner's shares do not cover (± half a person). Kolada's
    riket row for 2021 gives women and men the total's share (30 %) where its kommuner give
    23 % and 41 %: that fails here. True where it holds or cannot be checked.
    """
    key = ["year", "gender"]
    m = own[[*key, "share_pct", "cohort_n"]].merge(
        summed[[*key, "successes", "covered_n"]], on=key, how="left"
    )
    x_area = m["share_pct"] / 100.0 * m["cohort_n"]
    x_k = _floats(m["successes"])
    # leavers the kommuner's shares do not cover (no share, or in no kommun) may be anything
    spare = np.maximum(_floats(m["cohort_n"]) - _floats(m["covered_n"]), 0.0)
    with np.errstate(invalid="ignore"):
        bad = (x_area < x_k - 0.5) | (x_area > x_k + spare + 0.5)
    checkable = np.isfinite(_floats(x_area)) & np.isfinite(x_k)
    return pd.Series(~(bad & checkable), index=own.index)


def area_outcome_table(
    kpi_values: pd.DataFrame,
    counts: pd.DataFrame,
    area_code: str,
    kommun_codes,
    kpi: str = HEADLINE_KPI,
    years=None,
    synthetic: bool = False,
) -> pd.DataFrame:
    """A län's or riket's table: Kolada's own value where it has one that its kommuner can add
    up to, otherwise the kommuner's sum (column `basis`: "kolada" or "kommuner")."""
    own = outcome_table(kpi_values, area_code, kpi=kpi, years=years, synthetic=synthetic)
    summed = aggregate_table(counts, kommun_codes, kpi=kpi, years=years)
    if own.empty:
        return summed
    ok = consistent_with_kommuner(own, summed).to_numpy()
    has_own = own["share_pct"].notna().to_numpy()
    alt = summed.set_index(["year", "gender"]).reindex(
        pd.MultiIndex.from_frame(own[["year", "gender"]])
    )
    use_sum = ~(has_own & ok) & alt["share_pct"].notna().to_numpy()
    out = own.assign(
        basis="kolada",
        covered_n=np.nan,
        base_n=np.nan,
        n_kommuner=np.nan,
        successes=_floats(own["successes"]),
    )
    replaced = alt.reset_index(drop=True).assign(successes=_floats(alt["successes"]))
    for column in [c for c in replaced.columns if c in out.columns]:
        out[column] = np.where(
            use_sum, replaced[column].to_numpy(dtype=object), out[column].to_numpy(dtype=object)
        )
    contradicted = use_sum & has_own
    out["kolada_pct"] = own["share_pct"].where(contradicted).astype(float)
    out.loc[contradicted, "note"] = Note.KOLADA_CONTRADICTED
    if area_code == "0000":  # Kolada publishes riket: a gap is a flagged or missing value
        out.loc[use_sum & ~has_own, "note"] = Note.RIKET_MISSING
    out["year"] = out["year"].astype(int)
    for column in ("share_pct", "cohort_n", "low_pct", "high_pct", "covered_n", "base_n"):
        out[column] = out[column].astype(float)
    out["n_kommuner"] = out["n_kommuner"].astype(float)
    out["successes"] = pd.array(_floats(out["successes"]), dtype="Float64").astype("Int64")
    for column in ("note", "kolada_status", "basis"):
        out[column] = out[column].astype(str)
    return out


# --- the headline: the latest year, or the last three pooled when a year is small ---------


@dataclass
class Headline:
    """Women's and men's share for the report's first sentence.

    years: the year, or the pooled years; pooled: whether several years were summed (because
    the latest year had fewer than SMALL_COHORT leavers of a gender: few_in_latest gives them
    by gender); counted: whether the
    number of leavers is known (intervals and gap test need it). gap_shown is the difference
    of the whole percents shown, so the sentence adds up for the reader; its interval and test
    use the exact numbers of persons.
    """

    years: list[int]
    pooled: bool
    counted: bool
    women: dict
    men: dict
    gap_shown: float
    gap_low: float
    gap_high: float
    p_value: float
    # why the years were pooled: the latest year's leavers of each gender that were too few
    few_in_latest: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return fmt.years(self.years)


def shown_percent(value) -> float:
    """The whole percent a reader sees (fmt.percent's rounding)."""
    return fmt.rounded(value, 0)


def group_share(table: pd.DataFrame, years, gender: str) -> dict:
    """One gender's share over `years`: the year's own share, or persons summed over years."""
    rows = table[(table["gender"] == gender) & table["year"].isin(years)]
    x = float(_floats(rows["successes"]).sum()) if len(rows) else np.nan
    n = float(_floats(rows["cohort_n"]).sum()) if len(rows) else np.nan
    if len(years) == 1:
        share = float(_floats(rows["share_pct"])[0]) if len(rows) else np.nan
    else:
        share = 100.0 * x / n if n > 0 else np.nan
    low, high = wilson_interval(x, n)
    return {"successes": x, "n": n, "pct": share, "low": float(low), "high": float(high)}


def headline(table: pd.DataFrame, pool: int = 3, min_n: int = SMALL_COHORT) -> Headline | None:
    """The latest year with both women's and men's shares; when a gender had fewer than
    `min_n` leavers that year, the last `pool` years with leavers for both, summed."""
    t = table[table["gender"].isin(["K", "M"])]
    share = t.pivot_table(index="year", columns="gender", values="share_pct")
    if not {"K", "M"} <= set(share.columns):
        return None
    both = share.dropna(subset=["K", "M"])
    if both.empty:
        return None
    latest = int(both.index.max())
    n = t.pivot_table(index="year", columns="gender", values="cohort_n")
    n = n.reindex(columns=["K", "M"])
    x = t.assign(successes=_floats(t["successes"])).pivot_table(
        index="year", columns="gender", values="successes"
    )
    counted_years = [
        int(y)
        for y in x.reindex(columns=["K", "M"]).dropna().index
        if (n.loc[y] > 0).all() and y <= latest
    ]
    n_latest = n.loc[latest] if latest in n.index else pd.Series({"K": np.nan, "M": np.nan})
    few = {}
    if n_latest.isna().any() or latest not in counted_years:
        years, counted = [latest], False
    elif (n_latest >= min_n).all():
        years, counted = [latest], True
    else:
        years, counted = sorted(counted_years)[-pool:], True
        few = {g: float(n_latest[g]) for g in ("K", "M") if n_latest[g] < min_n}
    women, men = group_share(t, years, "K"), group_share(t, years, "M")
    gap = shown_percent(women["pct"]) - shown_percent(men["pct"])
    gi = gap_interval(women["successes"], women["n"], men["successes"], men["n"]).iloc[0]
    if not counted:
        gi[:] = np.nan
    return Headline(
        years=years,
        pooled=len(years) > 1,
        counted=counted,
        women=women,
        men=men,
        gap_shown=gap,
        gap_low=float(gi["gap_low"]),
        gap_high=float(gi["gap_high"]),
        p_value=float(gi["p_value"]),
        few_in_latest=few,
    )
