"""Expected share in work or studies after the programme, for women and men in every kommun.

The model (fitted separately for women and for men) for the leavers of kommun i in year t:

    y_it ~ Binomial(n_it, p_it)
    logit p_it = o_t + b0 + b · x_it + u_i + e_it,   u_i ~ N(0, tau²),  e_it ~ N(0, sigma²)

- y, n: in work or studies 90 days after leaving (N00973 × N00964 / 100, a whole number of
  persons in every row of the dump) out of those who left (N00964), of that gender.
- o_t: the national rate of that gender and year as a logit offset, from the kommuner's own
  leavers summed (Kolada's riket row for 2021 gives women and men the total's share). It is known
  the day a kommun's figure is published, so a new year needs no year effect to be estimated –
  which is what lets the model be validated on years it never saw.
- x_it, each as deviation from the kommuner's mean that year, in tens of percentage points:
  the education of that gender among those enrolled the year before (N00961 at most
  förgymnasial, N00963 eftergymnasial > 2 years; see EDUCATION_LAG), and the local labour
  market as summarised by N00485 (Kolada's expected employment rate for refugees 20–64, whose
  model holds the unemployment among the kommun's native-born). Where a gender's education
  share is flagged or missing, the total's is used. `log_n` (cohort size) is left out: it is
  not composition, and out of sample it made the fit worse (test deviance up for both genders).
- u_i: the kommun's persistent effect; e_it: its deviation in one year. Their sum is what an
  expected value cannot explain; the prediction interval holds it, besides binomial chance and
  the uncertainty of b.

Estimation, and why:
1. b by a binomial GLM (covariance clustered by kommun).
2. tau and sigma by maximum likelihood of the binomial–normal model, with each kommun's linear
   predictor taken from a GLM fitted without that kommun (5 folds by kommun: out of sample, so
   the fixed part cannot soak up kommun effects). The binomial likelihood is integrated exactly
   on a fine grid: half the cohorts have fewer than 25 leavers, where logit residuals are far
   from normal, so DerSimonian–Laird on empirical logits would be biased; the n²-weighted
   moment estimator this replaces gave 0.20 for a true 0.30. statsmodels'
   BinomialBayesMixedGLM was not used: its variational fit is known to understate variance
   components, the very bias to remove, and it cannot hold both u and e cheaply.
3. b0 recalibrated so that the random-effect mixture reproduces the national totals (the GLM's
   intercept fits expit(mean) instead of mean(expit)).
4. Expected share: the mixture mean; prediction interval: the mixture's 2.5 and 97.5 % quantiles
   of the number of persons, exactly (no simulation). Each kommun's effect pooled over its years
   is the posterior of u_i (shrunk towards 0 by tau), with its rank among all kommuner and the
   rank's 95 % interval from draws of the posteriors.

`validate` fits on 2015–2020 and predicts 2021–2022, and reports the prediction interval's
coverage by cohort size and gender against the band COVERAGE_BAND (see `coverage_band`).
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize, signal, special, stats

from ..core.errors import MissingDataError
from ..core.gender import BOTH
from ..data import kpis
from ..data import panel as kpi_panel

MODEL_VERSION = 1  # raise when the model changes: the derived cache is keyed by it
GENDERS = tuple(map(str, BOTH))  # plain "K", "M": they become stored column labels
EDUCATION_LAG = 1  # most who leave in year t were enrolled already in t − 1 (24 months at most)
COVARIATES = {  # column -> (kpi, lag, label)
    "forgymnasial": (kpis.EDU_PRIMARY, EDUCATION_LAG),
    "eftergymnasial": (kpis.EDU_TERTIARY, EDUCATION_LAG),
    "arbetsmarknad": (kpis.SCB_EXPECTED, 0),
}
TERM_LABELS = {
    "Intercept": "Konstant (logit, avvikelse från rikets nivå samma år)",
    "forgymnasial": (
        f"Andel med högst förgymnasial utbildning bland inskrivna året innan ({kpis.EDU_PRIMARY}),"
        " per 10 procentenheter"
    ),
    "eftergymnasial": (
        "Andel med eftergymnasial utbildning > 2 år bland inskrivna året innan "
        f"({kpis.EDU_TERTIARY}), per 10 procentenheter"
    ),
    "arbetsmarknad": (
        f"Lokal arbetsmarknad: förväntad förvärvsfrekvens för flyktingar ({kpis.SCB_EXPECTED}), "
        "per 10 procentenheter"
    ),
}
SIZE_CLASSES = ((0, 30, "färre än 30"), (30, 100, "30–99"), (100, np.inf, "100 eller fler"))
TRAIN_YEARS = (2015, 2020)
TEST_YEARS = (2021, 2022)
SMALL = 10  # no interval and no verdict for fewer leavers (outcomes.SMALL_COHORT)
MIN_ROWS, MIN_KOMMUNER = 30, 10
N_FOLDS = 5

# the grid on which the binomial likelihood is integrated over u + e (logit scale)
STEP = 0.02
GRID = np.arange(-300, 301) * STEP
MAX_SD = 1.5
# standard-normal grids: for the mixture's mean (Z) and its quantiles (Q_Z, fine enough that a
# cohort of a few thousand, whose binomial spread is narrower than the kommun spread, is exact)
Z = np.arange(-7.0, 7.0 + 1e-9, 0.05)
Z_W = np.exp(-0.5 * Z**2) / np.exp(-0.5 * Z**2).sum()
Q_Z = np.arange(-5.0, 5.0 + 1e-9, 0.05)
Q_W = np.exp(-0.5 * Q_Z**2) / np.exp(-0.5 * Q_Z**2).sum()
Q_W_COARSE = np.exp(-0.5 * Q_Z[::4] ** 2) / np.exp(-0.5 * Q_Z[::4] ** 2).sum()

# The acceptance band for a 95 % prediction interval (see coverage_band).
COVERAGE_BAND = (0.90, 0.99)
BAND_TEST_LEVEL = 0.01


def _expit(x):
    return special.expit(x)


def _logit(p):
    return special.logit(p)


# --- the panel the model reads ---------------------------------------------------------------


def model_panel(kpi_values: pd.DataFrame, synthetic: bool = False) -> pd.DataFrame:
    """One row per kommun, year and gender (K, M) with leavers: outcome, offset, covariates.

    Columns: area_code, year, gender, n, successes, share_pct, offset (national logit rate),
    forgymnasial, eftergymnasial (0–1 shares, lagged), arbetsmarknad (0–1), the centred and
    scaled x_* columns the model uses, and complete (all covariates present, n > 0).
    """
    wanted = [
        kpis.WORK_OR_STUDIES,
        kpis.LEFT,
        kpis.EDU_PRIMARY,
        kpis.EDU_TERTIARY,
        kpis.SCB_EXPECTED,
    ]
    kv = kpi_panel.values(kpi_values, wanted, synthetic=synthetic)
    kv = kv[~kv["area_code"].str.startswith("00") & kv["value"].notna()]
    wide = kv.pivot_table(index=["area_code", "year", "gender"], columns="kpi", values="value")
    wide = wide.reindex(columns=wanted)

    def lagged(kpi: str, gender: str, lag: int) -> pd.Series:
        s = wide[kpi].xs(gender, level="gender").dropna()
        idx = s.index
        s.index = pd.MultiIndex.from_arrays(
            [idx.get_level_values("area_code"), idx.get_level_values("year") + lag],
            names=["area_code", "year"],
        )
        return s

    parts = []
    for g in GENDERS:
        if g not in wide.index.get_level_values("gender"):
            continue
        own = wide.xs(g, level="gender")
        frame = pd.DataFrame(
            {"n": own[kpis.LEFT], "share_pct": own[kpis.WORK_OR_STUDIES]}, index=own.index
        )
        frame = frame[frame["n"].notna()]
        for column, (kpi, lag) in COVARIATES.items():
            by_gender = lagged(kpi, g, lag) if kpi != kpis.SCB_EXPECTED else pd.Series(dtype=float)
            total = lagged(kpi, "T", lag)
            value = by_gender.reindex(frame.index)
            frame[column] = value.fillna(total.reindex(frame.index)) / 100.0
        frame["gender"] = g
        parts.append(frame.reset_index())
    if not parts:
        return pd.DataFrame(
            columns=["area_code", "year", "gender", "n", "successes", "share_pct", "complete"]
        )
    data = pd.concat(parts, ignore_index=True)
    data["year"] = data["year"].astype(int)
    with np.errstate(invalid="ignore"):
        data["successes"] = np.floor(data["share_pct"] / 100.0 * data["n"] + 0.5)
    # national rate of the gender and year from the kommuner (the offset)
    has = data["successes"].notna() & (data["n"] > 0)
    totals = data[has].groupby(["year", "gender"])[["successes", "n"]].sum()
    rate = (totals["successes"] / totals["n"]).clip(1e-4, 1 - 1e-4)
    data["national_pct"] = 100.0 * rate.reindex(
        pd.MultiIndex.from_frame(data[["year", "gender"]])
    ).to_numpy(dtype=float)
    data["offset"] = _logit(data["national_pct"] / 100.0)
    for column in COVARIATES:
        mean = data.groupby(["year", "gender"])[column].transform("mean")
        data[f"x_{column}"] = (data[column] - mean) * 10.0  # tens of percentage points
    xcols = [f"x_{c}" for c in COVARIATES]
    data["complete"] = (
        data[xcols].notna().all(axis=1) & (data["n"] > 0) & data["offset"].notna()
    ).to_numpy()
    return data.sort_values(["gender", "area_code", "year"], ignore_index=True)


X_COLUMNS = [f"x_{c}" for c in COVARIATES]


# --- variance components on a grid ------------------------------------------------------------


def _log_binom(y, n, eta):
    """log Binomial(y | n, expit(eta)); y, n (k,), eta (k, G)."""
    const = special.gammaln(n + 1) - special.gammaln(y + 1) - special.gammaln(n - y + 1)
    return (
        const[:, None]
        - y[:, None] * np.logaddexp(0.0, -eta)
        - (n - y)[:, None] * np.logaddexp(0.0, eta)
    )


def _normal_on_grid(sd: float, offsets: np.ndarray) -> np.ndarray:
    """Discrete normal weights on `offsets` (normalised); a point mass at 0 for sd → 0."""
    if sd < STEP / 4:
        w = (np.abs(offsets) < STEP / 2).astype(float)
    else:
        w = np.exp(-0.5 * (offsets / sd) ** 2)
    return w / w.sum()


class _Likelihood:
    """The binomial–normal likelihood of one gender's panel, on GRID, for (tau, sigma)."""

    def __init__(self, y, n, eta, groups):
        order = np.argsort(groups, kind="stable")
        self.order = order
        self.groups, starts = np.unique(np.asarray(groups)[order], return_index=True)
        self.starts = starts
        log_b = _log_binom(y[order], n[order], eta[order][:, None] + GRID[None, :])
        self.shift = log_b.max(axis=1, keepdims=True)
        self.b = np.exp(log_b - self.shift)
        self._cache: dict[float, np.ndarray] = {}

    def kommun_loglik(self, sigma: float) -> np.ndarray:
        """log L_i(u) on GRID for every kommun: the years' likelihoods, each integrated over e."""
        key = round(float(sigma), 6)
        if key not in self._cache:
            half = int(np.ceil(6 * sigma / STEP)) if sigma >= STEP / 4 else 0
            if half == 0:
                h = self.b
            else:
                kernel = _normal_on_grid(sigma, np.arange(-half, half + 1) * STEP)
                padded = np.pad(self.b, ((0, 0), (half, half)), mode="edge")
                h = signal.fftconvolve(padded, kernel[None, :], mode="valid", axes=1)
            log_h = np.log(np.maximum(h, 1e-300)) + self.shift
            self._cache = {key: np.add.reduceat(log_h, self.starts, axis=0)}
        return self._cache[key]

    def loglik(self, tau: float, sigma: float) -> float:
        prior = np.log(np.maximum(_normal_on_grid(tau, GRID), 1e-300))
        return float(special.logsumexp(self.kommun_loglik(sigma) + prior[None, :], axis=1).sum())

    def fit(self) -> tuple[float, float, float]:
        """Maximum likelihood (tau, sigma, log L), profiling tau for each sigma."""

        def best_tau(sigma):
            r = optimize.minimize_scalar(
                lambda t: -self.loglik(t, sigma),
                bounds=(0.0, MAX_SD),
                method="bounded",
                options={"xatol": 1e-3},
            )
            return r.x, -r.fun

        r = optimize.minimize_scalar(
            lambda s: -best_tau(s)[1],
            bounds=(0.0, MAX_SD),
            method="bounded",
            options={"xatol": 2e-3},
        )
        sigma = float(r.x)
        tau, ll = best_tau(sigma)
        if sigma < 0.01:  # the boundary: compare with sigma = 0 exactly
            tau0, ll0 = best_tau(0.0)
            if ll0 >= ll:
                sigma, tau, ll = 0.0, tau0, ll0
        return float(tau), sigma, float(ll)

    def posterior(self, tau: float, sigma: float) -> np.ndarray:
        """Posterior weights of u_i on GRID, one row per kommun (self.groups)."""
        prior = np.log(np.maximum(_normal_on_grid(tau, GRID), 1e-300))
        log_post = self.kommun_loglik(sigma) + prior[None, :]
        log_post -= special.logsumexp(log_post, axis=1, keepdims=True)
        return np.exp(log_post)


# --- the fit ------------------------------------------------------------------------------------


@dataclass
class GenderFit:
    gender: str
    params: pd.Series  # Intercept (recalibrated) and the x_* slopes, logit scale
    cov: np.ndarray  # clustered covariance of params
    coefficients: pd.DataFrame
    tau: float
    sigma: float
    calibration: float  # added to the GLM intercept
    n_rows: int
    n_kommuner: int
    years: tuple[int, int]
    loglik: float


@dataclass
class ExpectedFit:
    fits: dict[str, GenderFit]
    years: tuple[int, int]
    notes: list[str] = field(default_factory=list)

    def variance_table(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "gender": f.gender,
                    "tau": f.tau,
                    "sigma": f.sigma,
                    "total_sd": float(np.hypot(f.tau, f.sigma)),
                    "n_rows": f.n_rows,
                    "n_kommuner": f.n_kommuner,
                }
                for f in self.fits.values()
            ]
        )


def _design(rows: pd.DataFrame) -> np.ndarray:
    return np.column_stack([np.ones(len(rows)), rows[X_COLUMNS].to_numpy(dtype=float)])


def _glm(rows: pd.DataFrame, clustered: bool = False):
    y = rows["successes"].to_numpy(float)
    n = rows["n"].to_numpy(float)
    model = sm.GLM(
        np.column_stack([y, n - y]),
        _design(rows),
        family=sm.families.Binomial(),
        offset=rows["offset"].to_numpy(float),
    )
    if clustered:
        groups = pd.factorize(rows["area_code"])[0]
        return model.fit(cov_type="cluster", cov_kwds={"groups": groups})
    return model.fit()


def _folds(codes: pd.Series) -> np.ndarray:
    """A fixed fold per kommun (its position among the sorted codes, modulo N_FOLDS)."""
    unique = np.sort(codes.unique())
    fold_of = {c: i % N_FOLDS for i, c in enumerate(unique)}
    return codes.map(fold_of).to_numpy()


def _out_of_sample_eta(rows: pd.DataFrame) -> np.ndarray:
    folds = _folds(rows["area_code"])
    eta = np.empty(len(rows))
    x = _design(rows)
    for k in range(N_FOLDS):
        test = folds == k
        result = _glm(rows[~test])
        eta[test] = x[test] @ np.asarray(result.params) + rows.loc[test, "offset"].to_numpy(float)
    return eta


def _mixture_mean(eta: np.ndarray, sd: np.ndarray | float) -> np.ndarray:
    """E[expit(eta + v)], v ~ N(0, sd²)."""
    sd = np.broadcast_to(np.asarray(sd, dtype=float), eta.shape)
    return _expit(eta[:, None] + sd[:, None] * Z[None, :]) @ Z_W


def _calibrate(eta, n, y, sd) -> float:
    """The intercept shift that makes the mixture reproduce the total of successes."""
    target = float(np.sum(y))

    def gap(delta):
        return float(np.sum(n * _mixture_mean(eta + delta, sd))) - target

    try:
        return float(optimize.brentq(gap, -3.0, 3.0, xtol=1e-6))
    except ValueError:
        return 0.0


def _fit_gender(rows: pd.DataFrame, gender: str) -> GenderFit:
    y = rows["successes"].to_numpy(float)
    n = rows["n"].to_numpy(float)
    codes = rows["area_code"].to_numpy()
    result = _glm(rows, clustered=True)
    eta_full = _design(rows) @ np.asarray(result.params) + rows["offset"].to_numpy(float)
    eta_oos = _out_of_sample_eta(rows)
    tau, sigma, delta = 0.0, 0.0, 0.0
    for _ in range(2):  # variance components given the calibrated intercept, then recalibrate
        lik = _Likelihood(y, n, eta_oos + delta, codes)
        tau, sigma, ll = lik.fit()
        delta = _calibrate(eta_full, n, y, np.hypot(tau, sigma))
    params = pd.Series(np.asarray(result.params), index=["Intercept", *COVARIATES])
    params["Intercept"] += delta
    cov = np.asarray(result.cov_params())
    se = np.sqrt(np.diag(cov))
    z = stats.norm.ppf(0.975)
    coefficients = pd.DataFrame(
        {
            "term": params.index,
            "label": [TERM_LABELS[t] for t in params.index],
            "estimate": params.to_numpy(),
            "std_error": se,
            "ci_low": params.to_numpy() - z * se,
            "ci_high": params.to_numpy() + z * se,
            "p_value": 2 * stats.norm.sf(np.abs(params.to_numpy() / se)),
        }
    )
    coefficients["odds_ratio"] = np.exp(coefficients["estimate"])
    coefficients.insert(0, "gender", gender)
    years = (int(rows["year"].min()), int(rows["year"].max()))
    return GenderFit(
        gender=gender,
        params=params,
        cov=cov,
        coefficients=coefficients,
        tau=tau,
        sigma=sigma,
        calibration=delta,
        n_rows=len(rows),
        n_kommuner=int(rows["area_code"].nunique()),
        years=years,
        loglik=ll,
    )


def _fit_rows(panel: pd.DataFrame, gender: str, years=None) -> pd.DataFrame:
    rows = panel[(panel["gender"] == gender) & panel["complete"] & panel["successes"].notna()]
    if years is not None:
        rows = rows[rows["year"].between(*years)]
    return rows.reset_index(drop=True)


def fit(panel: pd.DataFrame, years: tuple[int, int] | None = None) -> ExpectedFit:
    """Fit the model for women and for men on the panel's complete rows (within `years`)."""
    fits = {}
    for g in GENDERS:
        rows = _fit_rows(panel, g, years)
        if len(rows) < MIN_ROWS or rows["area_code"].nunique() < MIN_KOMMUNER:
            raise MissingDataError(
                f"Modellen för förväntat värde behöver andel ({kpis.WORK_OR_STUDIES}), antal som "
                f"lämnat ({kpis.LEFT}), utbildning ({kpis.EDU_PRIMARY}, {kpis.EDU_TERTIARY}) och "
                f"arbetsmarknad ({kpis.SCB_EXPECTED}) för minst {MIN_ROWS} kommunår i minst "
                f"{MIN_KOMMUNER} kommuner; för {'kvinnor' if g == 'K' else 'män'} finns "
                f"{len(rows)} kommunår i {rows['area_code'].nunique()} kommuner."
            )
        fits[g] = _fit_gender(rows, g)
    span = years or (
        int(min(f.years[0] for f in fits.values())),
        int(max(f.years[1] for f in fits.values())),
    )
    return ExpectedFit(fits=fits, years=span)


# --- predictions ----------------------------------------------------------------------------------


def _interval_counts(eta, sd, n, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """alpha/2 and 1 − alpha/2 quantiles of Y ~ Binomial(n, expit(eta + v)), v ~ N(0, sd²).

    The mixture's probability of every whole number 0..n is summed over a normal grid for v,
    so the quantiles are exact up to that grid: no simulation, the same answer every run. The
    grid is finer for large cohorts, whose binomial spread is narrow (Q_Z: a step of 0.05 sd
    is under a third of the binomial spread of 3 000 leavers at sd 0.6), coarser for small ones.
    """
    n_int = np.asarray(n, dtype=np.int64)
    low = np.full(len(n_int), np.nan)
    high = np.full(len(n_int), np.nan)
    small = n_int < 200
    for part, grid in ((small, (Q_Z[::4], Q_W_COARSE)), (~small, (Q_Z, Q_W))):
        if part.any():
            low[part], high[part] = _interval_counts_on(
                eta[part], sd[part], n_int[part], alpha, *grid
            )
    return low, high


def _interval_counts_on(eta, sd, n_int, alpha, q_z, q_w):
    """_interval_counts on one grid (q_z, q_w), rows in chunks of bounded memory."""
    low = np.full(len(n_int), np.nan)
    high = np.full(len(n_int), np.nan)
    budget = 3_000_000 // len(q_z)
    start = 0
    while start < len(n_int):
        stop = start
        size = 0
        while stop < len(n_int) and (size == 0 or size + n_int[stop] + 1 <= budget):
            size += n_int[stop] + 1
            stop += 1
        idx = np.arange(start, stop)
        lengths = n_int[idx] + 1
        row = np.repeat(np.arange(len(idx)), lengths)
        first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        y = np.arange(lengths.sum()) - np.repeat(first, lengths)
        nn = n_int[idx][row].astype(float)
        logit_p = eta[idx][row][:, None] + sd[idx][row][:, None] * q_z[None, :]
        log_pmf = (
            (special.gammaln(nn + 1) - special.gammaln(y + 1) - special.gammaln(nn - y + 1))[
                :, None
            ]
            - y[:, None] * np.logaddexp(0.0, -logit_p)
            - (nn - y)[:, None] * np.logaddexp(0.0, logit_p)
        )
        pmf = np.exp(log_pmf) @ q_w
        cum = np.cumsum(pmf)
        before = np.concatenate([[0.0], cum[first[1:] - 1]]) if len(first) > 1 else np.zeros(1)
        cdf = cum - np.repeat(before, lengths)
        for q, target in ((alpha / 2, low), (1 - alpha / 2, high)):
            hit = cdf >= q - 1e-12
            rows_hit, where = np.unique(row[hit], return_index=True)
            found = np.full(len(idx), np.nan)
            found[rows_hit] = y[hit][where]
            missing = np.isnan(found)
            found[missing] = n_int[idx][missing]
            target[idx] = found
        start = stop
    return low, high


def predict(model: ExpectedFit, panel: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Expected share and prediction interval for every complete row of the panel.

    Columns: area_code, year, gender, n, successes, actual_pct, expected_pct, pi_low, pi_high
    (percent of n), pi_low_n, pi_high_n (persons), outside (NA when n < 10 or no actual),
    deviation_pp.
    """
    out = []
    for g, f in model.fits.items():
        rows = panel[(panel["gender"] == g) & panel["complete"]].reset_index(drop=True)
        if rows.empty:
            continue
        x = _design(rows)
        eta = x @ f.params.to_numpy() + rows["offset"].to_numpy(float)
        se = np.sqrt(np.einsum("ij,jk,ik->i", x, f.cov, x))
        sd = np.sqrt(f.tau**2 + f.sigma**2 + se**2)
        n = rows["n"].to_numpy(float)
        low, high = _interval_counts(eta, sd, n, alpha)
        p = _expit(eta[:, None] + sd[:, None] * Z[None, :])
        mean_p = p @ Z_W
        expected = 100.0 * mean_p
        # Var(Y) = n E[p(1 − p)] + n² Var(p): for sums over a län's kommuner
        var_n = n * ((p * (1 - p)) @ Z_W) + n**2 * np.maximum((p**2) @ Z_W - mean_p**2, 0.0)
        frame = rows[["area_code", "year", "gender", "n", "successes"]].copy()
        frame["actual_pct"] = rows["share_pct"].to_numpy(float)
        frame["national_pct"] = rows["national_pct"].to_numpy(float)
        frame["expected_pct"] = expected
        frame["pi_low_n"], frame["pi_high_n"] = low, high
        frame["var_n"] = var_n
        with np.errstate(invalid="ignore", divide="ignore"):
            frame["pi_low"] = np.where(n > 0, 100.0 * low / n, np.nan)
            frame["pi_high"] = np.where(n > 0, 100.0 * high / n, np.nan)
        y = rows["successes"].to_numpy(float)
        judged = np.isfinite(y) & (n >= SMALL)
        outside = np.where(judged, (y < low) | (y > high), False)
        frame["outside"] = pd.array(outside, dtype="boolean")
        frame.loc[~judged, "outside"] = pd.NA
        frame["deviation_pp"] = frame["actual_pct"] - frame["expected_pct"]
        out.append(frame)
    columns = [
        "area_code",
        "year",
        "gender",
        "n",
        "successes",
        "actual_pct",
        "national_pct",
        "expected_pct",
        "pi_low_n",
        "pi_high_n",
        "var_n",
        "pi_low",
        "pi_high",
        "outside",
        "deviation_pp",
    ]
    if not out:
        return pd.DataFrame(columns=columns)
    return pd.concat(out, ignore_index=True)[columns]


# --- each kommun's effect pooled over its years -------------------------------------------------


def kommun_effects(
    model: ExpectedFit, panel: pd.DataFrame, n_draws: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """Per kommun and gender: the effect u_i pooled over the years and shrunk towards 0.

    Columns: area_code, gender, years (number of years), n (leavers), effect (logit, posterior
    mean), effect_low/effect_high (95 %), effect_pp (in percentage points at the national level
    of the fitted years), effect_pp_low/high, rank (1 = highest effect, posterior mean),
    rank_low/rank_high (95 % interval of the rank, from joint draws), of (kommuner ranked).
    """
    rng = np.random.default_rng(seed)
    out = []
    for g, f in model.fits.items():
        rows = _fit_rows(panel, g, f.years)
        if rows.empty:
            continue
        eta = _design(rows) @ f.params.to_numpy() + rows["offset"].to_numpy(float)
        lik = _Likelihood(
            rows["successes"].to_numpy(float), rows["n"].to_numpy(float), eta, rows["area_code"]
        )
        post = lik.posterior(f.tau, f.sigma)
        mean = post @ GRID
        sd = np.sqrt(np.maximum(post @ GRID**2 - mean**2, 0.0))
        cum = np.cumsum(post, axis=1)
        uniform = rng.random((len(post), n_draws))
        index = np.vstack([np.searchsorted(c, u) for c, u in zip(cum, uniform, strict=True)])
        draws = GRID[np.minimum(index, len(GRID) - 1)]
        lo_u = GRID[np.minimum((cum < 0.025).sum(1), len(GRID) - 1)]
        hi_u = GRID[np.minimum((cum < 0.975).sum(1), len(GRID) - 1)]
        level = float(_logit(rows["successes"].sum() / rows["n"].sum()))
        base = _expit(level)
        # rank 1 = the highest effect; ties broken by order (draws are continuous in effect)
        ranks = (-draws).argsort(axis=0).argsort(axis=0) + 1
        order = (-mean).argsort().argsort() + 1
        summary = rows.groupby("area_code").agg(years=("year", "nunique"), n=("n", "sum"))
        frame = pd.DataFrame(
            {
                "area_code": lik.groups,
                "gender": g,
                "effect": mean,
                "effect_sd": sd,
                "effect_low": lo_u,
                "effect_high": hi_u,
                "effect_pp": 100.0 * (post @ _expit(level + GRID) - base),
                "effect_pp_low": 100.0 * (_expit(level + lo_u) - base),
                "effect_pp_high": 100.0 * (_expit(level + hi_u) - base),
                "rank": order,
                "rank_low": np.percentile(ranks, 2.5, axis=1, method="lower"),
                "rank_high": np.percentile(ranks, 97.5, axis=1, method="higher"),
                "of": len(lik.groups),
                "level_pct": 100.0 * base,
            }
        )
        frame = frame.join(summary, on="area_code")
        out.append(frame)
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


# --- validation ---------------------------------------------------------------------------------


def size_class(n) -> pd.Series:
    n = pd.Series(n, dtype=float)
    labels = pd.Series(pd.NA, index=n.index, dtype=object)
    for low, high, label in SIZE_CLASSES:
        labels[(n >= low) & (n < high)] = label
    return labels


def coverage_band(n_judged: int) -> tuple[float, float]:
    """The coverage a class of n_judged predictions may show without failing.

    A 95 % interval is accepted when its miss rate is plausibly between 1 % and 10 %: at 10 %
    (coverage 90 %) kommuner are flagged twice as often as the report says, the fault the
    review found; at 1 % the interval is so wide it hardly flags anything. Small cohorts sit
    above 95 % by construction (a whole number of persons: the interval includes its ends). The
    band widens with the class's sampling error: it holds every coverage that a one-sided
    binomial test at the 1 % level cannot tell from 90 % (below) or from 99 % (above).
    """
    if n_judged <= 0:
        return (np.nan, np.nan)
    lower_ok = stats.binom.ppf(BAND_TEST_LEVEL, n_judged, COVERAGE_BAND[0])
    upper_ok = stats.binom.isf(BAND_TEST_LEVEL, n_judged, COVERAGE_BAND[1])
    return float(lower_ok / n_judged), float(min(upper_ok / n_judged, 1.0))


@dataclass
class Validation:
    table: pd.DataFrame  # gender, size_class, n, inside, coverage, band_low, band_high, ok
    fit: ExpectedFit
    train_years: tuple[int, int]
    test_years: tuple[int, int]
    predictions: pd.DataFrame

    @property
    def ok(self) -> bool:
        return bool(self.table["ok"].all())


def coverage_table(pred: pd.DataFrame) -> pd.DataFrame:
    """Coverage of the prediction intervals in `pred` by gender and size class, with bands."""
    judged = pred[pred["outside"].notna()].copy()
    judged["size_class"] = size_class(judged["n"]).to_numpy()
    rows = []
    labels = [label for *_, label in SIZE_CLASSES]
    for g in GENDERS:
        part = judged[judged["gender"] == g]
        for label in [*labels, "alla"]:
            cls = part if label == "alla" else part[part["size_class"] == label]
            n = len(cls)
            inside = int((~cls["outside"].astype(bool)).sum())
            low, high = coverage_band(n)
            rows.append(
                {
                    "gender": g,
                    "size_class": label,
                    "n": n,
                    "inside": inside,
                    "coverage": inside / n if n else np.nan,
                    "band_low": low,
                    "band_high": high,
                    "ok": bool(n == 0 or (low <= inside / n <= high)),
                }
            )
    return pd.DataFrame(rows)


def validate(panel: pd.DataFrame, train_years=TRAIN_YEARS, test_years=TEST_YEARS) -> Validation:
    """Fit on train_years, predict test_years; coverage of the 95 % prediction interval."""
    model = fit(panel, train_years)
    pred = predict(model, panel[panel["year"].between(*test_years)])
    return Validation(
        table=coverage_table(pred),
        fit=model,
        train_years=tuple(train_years),
        test_years=tuple(test_years),
        predictions=pred,
    )


def validate_rolling(
    panel: pd.DataFrame, first_year: int = TRAIN_YEARS[0], test_years=(2018, 2022)
) -> Validation:
    """Each year in test_years predicted by a model fitted on first_year up to the year before
    (rolling origin): more large cohorts to judge than 2021–2022 alone (2018–2019 had the
    most leavers)."""
    preds, model = [], None
    for year in range(test_years[0], test_years[1] + 1):
        model = fit(panel, (first_year, year - 1))
        preds.append(predict(model, panel[panel["year"] == year]))
    pred = pd.concat(preds, ignore_index=True)
    return Validation(
        table=coverage_table(pred),
        fit=model,
        train_years=(first_year, test_years[1] - 1),
        test_years=tuple(test_years),
        predictions=pred,
    )


def aggregate_predictions(pred: pd.DataFrame, codes, alpha: float = 0.05) -> pd.DataFrame:
    """An area's actual and expected share by year and gender, summed over its kommuner.

    Only kommun-years with an expected value and an actual share enter, so actual and expected
    describe the same persons. The interval is normal on the number of persons, with the
    kommuner's predictive variances added: it treats the kommuner as independent, which a
    regional labour market shared by neighbours may not be (the interval may be too narrow).
    """
    rows = pred[pred["area_code"].isin(list(codes)) & pred["successes"].notna()]
    rows = rows.assign(expected_n=rows["n"] * rows["expected_pct"] / 100.0)
    sums = rows.groupby(["year", "gender"]).agg(
        n=("n", "sum"),
        successes=("successes", "sum"),
        expected_n=("expected_n", "sum"),
        var_n=("var_n", "sum"),
        kommuner=("area_code", "nunique"),
    )
    z = stats.norm.ppf(1 - alpha / 2)
    half = z * np.sqrt(sums["var_n"])
    out = sums.reset_index()
    out["actual_pct"] = 100.0 * out["successes"] / out["n"]
    out["expected_pct"] = 100.0 * out["expected_n"] / out["n"]
    out["pi_low"] = 100.0 * np.maximum(out["expected_n"] - half.to_numpy(), 0) / out["n"]
    out["pi_high"] = 100.0 * np.minimum(out["expected_n"] + half.to_numpy(), out["n"]) / out["n"]
    out["pi_low_n"] = np.floor(out["pi_low"] * out["n"] / 100.0)
    out["pi_high_n"] = np.ceil(out["pi_high"] * out["n"] / 100.0)
    judged = out["n"] >= SMALL
    outside = (out["successes"] < out["pi_low_n"]) | (out["successes"] > out["pi_high_n"])
    out["outside"] = pd.array(np.where(judged, outside, False), dtype="boolean")
    out.loc[~judged, "outside"] = pd.NA
    out["deviation_pp"] = out["actual_pct"] - out["expected_pct"]
    return out
