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
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

from . import kpis
from . import panel as kpi_panel
from .errors import MissingDataError, ParameterError

SMALL_COHORT = 10
HEADLINE_KPI = kpis.WORK_OR_STUDIES
COHORT_KPI = kpis.LEFT
KEY = ["kpi", "area_code", "year", "gender"]
OUT_GENDERS = ("K", "M", "T")

NOTE_NO_YEAR = "uppgift saknas för året"
NOTE_NO_COHORT = "kullstorlek saknas – inget osäkerhetsintervall"
NOTE_SMALL = f"färre än {SMALL_COHORT} personer – inget intervall"
NOTE_ZERO = "inga som lämnat (0)"
COHORT_HINT = (
    f"Antalet som lämnat etableringsuppdraget (Kolada {kpis.LEFT}) behövs som kullstorlek; hämta det "
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
    "origin",
    "retrieved",
]
COMPOSITION_KPIS = {  # panel column -> (kpi, gender), shares turned into 0–1
    "eftergymnasial": (kpis.EDU_TERTIARY, "T"),
    "saknar_utbildning": (kpis.EDU_NONE, "T"),
    "gymnasial": (kpis.EDU_SECONDARY, "T"),
}
EXPECTED_TERMS = [
    "eftergymnasial",
    "saknar_utbildning",
    "gymnasial",
    "andel_kvinnor",
    "log_n",
]
TERM_LABELS = {
    "Intercept": "Konstant (logit, referensåret)",
    "eftergymnasial": f"Andel med eftergymnasial utbildning > 2 år ({kpis.EDU_TERTIARY}), per andel 0–1",
    "saknar_utbildning": f"Andel utan formell grundläggande utbildning ({kpis.EDU_NONE}), per andel 0–1",
    "gymnasial": f"Andel med gymnasial utbildning ({kpis.EDU_SECONDARY}), per andel 0–1",
    "andel_kvinnor": f"Andel kvinnor bland dem som lämnat ({kpis.LEFT} K/T), per andel 0–1",
    "log_n": f"Antal som lämnat, logaritmerat (ln {kpis.LEFT})",
}


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


def _note(present: bool, share: float, status: str, cohort: float) -> str:
    if cohort == 0:
        return NOTE_ZERO
    if not present:
        return NOTE_NO_YEAR
    if np.isnan(share):
        status = (status or "").strip()
        return f"andel saknas (Kolada: {status})" if status else "andel saknas"
    if np.isnan(cohort):
        return NOTE_NO_COHORT
    if cohort < SMALL_COHORT:
        return NOTE_SMALL
    return ""


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
    if years is None:
        wanted = sorted({int(y) for y, _ in share.index} | {int(y) for y, _ in cohort.index})
    else:
        wanted = sorted({int(y) for y in years})
    index = pd.MultiIndex.from_product([wanted, OUT_GENDERS], names=["year", "gender"])
    # Columns are built first and the frame once: inserting columns one by one is slow with
    # pandas 3's Arrow-backed column index.
    sh = share["value"].reindex(index).to_numpy(dtype=float)
    n = cohort.reindex(index).to_numpy(dtype=float)
    present = index.isin(share.index)
    status = share["status"].reindex(index).fillna("").astype(str)
    with np.errstate(invalid="ignore"):
        succ = np.where(np.isfinite(sh) & np.isfinite(n), _round_half_up(sh / 100.0 * n), np.nan)
    low, high = wilson_interval(succ, n, alpha)
    out = pd.DataFrame(
        {
            "share_pct": sh,
            "cohort_n": n,
            "successes": pd.array(succ, dtype="Float64").astype("Int64"),
            "low_pct": low,
            "high_pct": high,
            "note": [
                _note(p, s, st, c) for p, s, st, c in zip(present, sh, status, n, strict=True)
            ],
            "origin": share["origin"].reindex(index).astype(object).where(present, None).to_numpy(),
            "retrieved": share["retrieved"]
            .reindex(index)
            .astype(object)
            .where(present, None)
            .to_numpy(),
        },
        index=index,
    )
    out = out.reset_index()
    out["year"] = out["year"].astype(int)
    out["gender"] = out["gender"].astype(str)
    return out[OUTCOME_COLUMNS]


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
        missing = [who for who, v in (("kvinnor", w), ("män", m)) if np.isnan(v)]
        if missing:
            notes.append("andel saknas för " + " och ".join(missing))
        elif nw == 0 or nm == 0:
            notes.append(NOTE_ZERO)
        elif np.isnan(nw) or np.isnan(nm):
            notes.append(NOTE_NO_COHORT)
        elif min(nw, nm) < SMALL_COHORT:
            notes.append(NOTE_SMALL)
        else:
            notes.append("")
    out["note"] = notes
    return out


# --- trend model for one area -------------------------------------------------------------


@dataclass
class TrendResult:
    """Binomial GLM of the outcome on gender × year for one area.

    predictions: year, gender, share_pct (observed), cohort_n, pred_pct, low_pct, high_pct
      (95 % confidence interval of the modelled share).
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
    """Fit; refit with the Pearson scale (quasi-binomial) when the data are overdispersed."""
    first = model.fit()
    dispersion = float(first.pearson_chi2 / first.df_resid) if first.df_resid > 0 else float("nan")
    if np.isfinite(dispersion) and dispersion > 1.0:
        # the Pearson scale passed as a number: statsmodels' scale="X2" computes it on the
        # proportion scale when the response is (successes, failures), which is wrong here
        return model.fit(scale=dispersion), dispersion, True
    return first, dispersion, False


def trend_model(outcome_table: pd.DataFrame, alpha: float = 0.05) -> TrendResult:
    """Binomial GLM of success on C(gender) * year_c for the K and M rows with cohort sizes.

    year_c is the year minus the mean of the years used, so the gender term is the women − men
    log odds ratio in the middle of the period. Raises MissingDataError (in Swedish) when fewer
    than 3 years have cohort sizes for both women and men.
    """
    data = outcome_table[outcome_table["gender"].isin(["K", "M"])].copy()
    data["successes"] = _floats(data["successes"])
    data["cohort_n"] = _floats(data["cohort_n"])
    data = data[np.isfinite(data["successes"]) & (data["cohort_n"] > 0)]
    both = data.groupby("year")["gender"].nunique()
    years = sorted(int(y) for y in both[both == 2].index)
    if len(years) < 3:
        raise MissingDataError(
            "Trendmodellen behöver andel och kullstorlek för både kvinnor och män under minst "
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
    result, dispersion, quasi = _fit_quasi(model)

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


# --- expected value across kommuner -------------------------------------------------------


def composition_panel(kpi_values: pd.DataFrame, synthetic: bool = False) -> pd.DataFrame:
    """One row per kommun-year (gender T): outcome, cohort and participant composition.

    Columns: area_code, year, share_pct (N00973), cohort_n (N00964), successes, failures,
    n_women (N00964 K), andel_kvinnor (K/T), log_n, and the education shares eftergymnasial
    (N00963), saknar_utbildning (N00994), gymnasial (N00962) as 0–1. Missing stays NaN.
    """
    kv = kpi_panel.values(kpi_values, synthetic=synthetic)
    kv = kv[~kv["area_code"].str.startswith("00")]

    def series(kpi: str, gender: str) -> pd.Series:
        rows = kv[(kv["kpi"] == kpi) & (kv["gender"] == gender)]
        return rows.set_index(["area_code", "year"])["value"].astype(float)

    share = series(HEADLINE_KPI, "T")
    cohort = series(COHORT_KPI, "T")
    index = share.index.union(cohort.index).sort_values()
    panel = pd.DataFrame(index=index)
    panel["share_pct"] = share.reindex(index)
    panel["cohort_n"] = cohort.reindex(index)
    with np.errstate(invalid="ignore"):
        panel["successes"] = _round_half_up(panel["share_pct"] / 100.0 * panel["cohort_n"])
    panel["failures"] = panel["cohort_n"] - panel["successes"]
    panel["n_women"] = series(COHORT_KPI, "K").reindex(index)
    positive = panel["cohort_n"] > 0
    panel["andel_kvinnor"] = (panel["n_women"] / panel["cohort_n"]).where(positive)
    panel["log_n"] = np.log(panel["cohort_n"].where(positive))
    for column, (kpi, gender) in COMPOSITION_KPIS.items():
        panel[column] = series(kpi, gender).reindex(index) / 100.0
    panel = panel.reset_index()
    panel["year"] = panel["year"].astype(int)
    return panel


@dataclass
class ExpectedResult:
    """Cross-kommun model of the outcome given participant composition.

    table: per kommun-year actual_pct, expected_pct, pi_low/pi_high (prediction interval for
      the published share given the kommun's cohort size), deviation_pp, outside, note.
    coefficients: term, label (Swedish), estimate, CI, p-value, odds ratio.
    dispersion: Pearson χ²/df of the binomial fit (quasi-binomial scale when > 1).
    cov_type: "cluster" (by kommun, the default with ≥ 20 kommuner) or "quasi".
    overdispersion: how the prediction interval widens beyond binomial ("quasi"/"additive");
    between_sd: the estimated sd tau of the additive kommun effect (NaN for "quasi").
    """

    table: pd.DataFrame
    coefficients: pd.DataFrame
    dispersion: float
    cov_type: str
    overdispersion: str
    between_sd: float
    n_obs: int
    result: object


def _between_kommun_variance(result, n: np.ndarray) -> float:
    """Method-of-moments variance tau² of an additive logit-scale effect, from a binomial fit.

    With logit p_i = eta_i + u_i, Var(u) = tau²: E[(y − n p)²] ≈ n p q + n (n − 1) (p q)² tau².
    """
    p = np.asarray(result.fittedvalues)
    y = np.asarray(result.model.endog) * n
    pq = p * (1.0 - p)
    excess = np.sum((y - n * p) ** 2 - n * pq)
    denominator = np.sum(n * (n - 1.0) * pq**2)
    return float(max(excess / denominator, 0.0)) if denominator > 0 else 0.0


def _simulate_shares(
    eta, se, n, *, dispersion=1.0, tau=0.0, alpha=0.05, n_sim=2000, seed=0
) -> tuple[np.ndarray, np.ndarray]:
    """Prediction interval of a published share (whole percent) for a cohort of size n.

    Draws the linear predictor from its sampling distribution (se), then a cohort outcome:
    with `dispersion` > 1 a beta-binomial whose variance is dispersion · n p (1 − p)
    (intra-cohort correlation rho = (dispersion − 1)/(n − 1), the quasi-binomial assumption);
    with `tau` > 0 a binomial around a logit shifted by u ~ N(0, tau²) (additive).
    """
    rng = np.random.default_rng(seed)
    eta_draw = eta[:, None] + se[:, None] * rng.standard_normal((len(eta), n_sim))
    if tau > 0:
        eta_draw = eta_draw + tau * rng.standard_normal(eta_draw.shape)
    p = 1.0 / (1.0 + np.exp(-eta_draw))
    n_col = n[:, None]
    phi = float(dispersion) if np.isfinite(dispersion) else 1.0
    if phi > 1.0:
        rho = np.clip((phi - 1.0) / np.maximum(n_col - 1.0, 1.0), 1e-12, 0.999)
        concentration = 1.0 / rho - 1.0
        p_beta = rng.beta(
            np.maximum(p * concentration, 1e-9), np.maximum((1 - p) * concentration, 1e-9)
        )
        p = np.where(n_col > 1, p_beta, p)
    y = rng.binomial(n_col.astype(np.int64), p)
    shares = _round_half_up(100.0 * y / n_col)
    low = np.quantile(shares, alpha / 2.0, axis=1)
    high = np.quantile(shares, 1.0 - alpha / 2.0, axis=1)
    return low, high


def expected_model(
    panel: pd.DataFrame,
    alpha: float = 0.05,
    n_sim: int = 2000,
    seed: int = 0,
    cluster: bool | None = None,
    overdispersion: str = "additive",
) -> ExpectedResult:
    """Binomial GLM across kommuner: N00973 successes out of N00964 on composition + year.

    Terms: eftergymnasial, saknar_utbildning, gymnasial (shares 0–1), andel_kvinnor, log_n and
    C(year). The Pearson dispersion scales the covariance when > 1 (quasi-binomial). With
    `cluster` (default: when there are at least 20 kommuner) the covariance is instead robust
    to each kommun's persistent deviation over the years (clustered by kommun), which the
    quasi-binomial scale alone would ignore.

    Each kommun-year with composition and cohort gets the expected share and a 95 % prediction
    interval for its published share: the linear predictor's uncertainty and a cohort of that
    size, simulated with a fixed seed. The cohort's extra-binomial variation is either
    `overdispersion="quasi"`: the Pearson dispersion times the binomial variance,
    the same factor for every cohort size; or `"additive"` (default, ~95 % coverage in every
    cohort-size class on the demo panel): a between-kommun effect on the
    logit scale whose variance tau² is estimated by the method of moments, so the extra
    variation grows with the cohort size as it does when kommuner truly differ (funnel-plot
    style; with the quasi factor, large kommuner are flagged more often and small ones less).
    `outside` flags an actual share outside the interval; it is NA without an actual share or
    with a cohort under SMALL_COHORT. This is Kolada's "avvikelse från modellberäknat värde"
    with uncertainty. The model is fitted and judged on the same kommun-years (in-sample).
    """
    if overdispersion not in ("quasi", "additive"):
        raise ParameterError(f"overdispersion={overdispersion!r}: välj 'quasi' eller 'additive'.")
    needed = ["cohort_n", *COMPOSITION_KPIS]
    complete = panel[needed + ["andel_kvinnor", "log_n"]].notna().all(axis=1)
    complete &= panel["cohort_n"] > 0
    fit_rows = panel[complete & panel["successes"].notna()].copy()
    n_kommuner = fit_rows["area_code"].nunique()
    if len(fit_rows) < 30 or n_kommuner < 10:
        raise MissingDataError(
            f"Modellen för förväntat värde behöver andel ({kpis.WORK_OR_STUDIES}), kullstorlek "
            f"({kpis.LEFT}) och utbildningsfördelning ({kpis.EDU_SECONDARY}, {kpis.EDU_TERTIARY}, "
            f"{kpis.EDU_NONE}) för minst 30 kommunår i minst 10 "
            f"kommuner; det finns {len(fit_rows)} kommunår i {n_kommuner} kommuner.",
            COHORT_HINT,
        )
    years = sorted(fit_rows["year"].unique())
    rhs = " + ".join(EXPECTED_TERMS) + (" + C(year)" if len(years) > 1 else "")
    columns = ["successes", "failures", "year", *EXPECTED_TERMS]
    model = smf.glm(
        f"successes + failures ~ {rhs}",
        data=fit_rows[columns].astype({"successes": float, "failures": float}),
        family=sm.families.Binomial(),
    )
    first = model.fit()
    dispersion = float(first.pearson_chi2 / first.df_resid)
    if cluster is None:
        cluster = n_kommuner >= 20
    if cluster:
        groups = pd.factorize(fit_rows["area_code"])[0]
        result = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        cov_type = "cluster"
    else:
        result = model.fit(scale=dispersion) if dispersion > 1.0 else first
        cov_type = "quasi"

    predict_rows = panel[complete & panel["year"].isin(years)].copy()
    lin = result.get_prediction(predict_rows[["year", *EXPECTED_TERMS]], which="linear")
    eta = np.asarray(lin.predicted)
    se = np.asarray(lin.se)
    n = predict_rows["cohort_n"].to_numpy(dtype=float)
    if overdispersion == "quasi":
        spread = {"dispersion": dispersion}
    else:
        tau2 = _between_kommun_variance(first, fit_rows["cohort_n"].to_numpy(dtype=float))
        spread = {"tau": float(np.sqrt(tau2))}
    low, high = _simulate_shares(eta, se, n, **spread, alpha=alpha, n_sim=n_sim, seed=seed)

    table = predict_rows[["area_code", "year", "cohort_n"]].copy()
    table["actual_pct"] = predict_rows["share_pct"].to_numpy(dtype=float)
    table["expected_pct"] = 100.0 / (1.0 + np.exp(-eta))
    table["pi_low"], table["pi_high"] = low, high
    table["deviation_pp"] = table["actual_pct"] - table["expected_pct"]
    actual = table["actual_pct"].to_numpy()
    judged = np.isfinite(actual) & (n >= SMALL_COHORT)
    with np.errstate(invalid="ignore"):
        outside = (actual < low) | (actual > high)
    table["outside"] = pd.array(np.where(judged, outside, False), dtype="boolean")
    table.loc[~judged, "outside"] = pd.NA
    table["note"] = np.where(
        ~np.isfinite(actual),
        "andel saknas",
        np.where(n < SMALL_COHORT, NOTE_SMALL, ""),
    )
    labels = dict(TERM_LABELS)
    labels["Intercept"] = f"Konstant (logit, {years[0]})"
    labels.update({f"C(year)[T.{y}]": f"År {y} jämfört med {years[0]}" for y in years[1:]})
    return ExpectedResult(
        table=table.reset_index(drop=True),
        coefficients=_coef_table(result, alpha, labels),
        dispersion=dispersion,
        cov_type=cov_type,
        overdispersion=overdispersion,
        between_sd=spread.get("tau", float("nan")),
        n_obs=int(len(fit_rows)),
        result=result,
    )
