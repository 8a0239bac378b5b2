"""A seeded synthetic Kolada panel for the etablering KPIs, in the `kpi_values` table itself.

The statistics in `outcomes` and `expected` are exercised and validated here on data generated
from a known model, beside the real panel. Every row carries the origin ``syntetisk``
(DEMO_SOURCE names it), which keeps synthetic and real values apart: never show these numbers
as facts about a kommun.

The data-generating model (all effects in DEMO_EFFECTS, logit scale) for a person of gender g
who left the programme in kommun i in year t:

    logit P(arbete eller studier efter 90 dagar)
        = intercept + kvinna·[g = K]
          + eftergymnasial·(e_i,t−1 − 0.25) + forgymnasial·(f_i,t−1 − 0.40)
          + gymnasial·(s_i,t−1 − 0.25)
          + arbetsmarknad·(a_it − 55)/10 + ar·(t − 2016) + u_i,     u_i ~ N(0, kommun_sd²)

where e, f, s are the education shares (0–1) among those enrolled in the kommun the year before
(N00963, N00961, N00962: most who leave in year t were enrolled in t − 1, as in the real
model) and a_it is the local labour market, published as N00485 (the expected employment rate
of refugees 20–64, %). Successes are drawn binomially and shares published unrounded (as in
Kolada's dump), so share × count / 100 is a whole number of persons. Cohort sizes (N00964,
N00960) are Poisson around an invented national profile times a per-kommun size, so some
kommuner have cohorts under 10 and a few have 0, where the share is missing (status "Missing").
Län and riket rows are cohort-weighted aggregates of their kommuner. Refugees' employment
(N00700, N02994) follows the labour market plus a kommun effect of its own, and N00486 is
N00700 − N00485, as in Kolada.

In the demo, N00961 (högst förgymnasial) = N00994 + N00969 + N00970, and N00961 + N00962 +
N00963 + eftergymnasial under 2 år (not published) = 100 %. Women and men have the same
education mix. The national profiles below are invented to look plausible; they are not
Arbetsförmedlingen's numbers.
"""

from collections.abc import Iterable

import numpy as np
import pandas as pd

from . import kpis
from .origin import Origin
from .store import validate

DEMO_SOURCE = "SYNTETISKA DATA (demo)"
DEMO_YEARS = range(2016, 2025)

DEMO_EFFECTS: dict[str, float | dict] = {
    # logit of the 90-day outcome for a man, reference composition and labour market, year
    # 2016, u_i = 0 (≈ 44 %)
    "intercept": -0.25,
    # women vs men, same kommun, year and composition (odds ratio ≈ 0.41)
    "kvinna": -0.9,
    # per unit share (0–1) with eftergymnasial utbildning > 2 år (N00963) among those enrolled
    # the year before
    "eftergymnasial": 2.0,
    # per unit share (0–1) with at most förgymnasial utbildning (N00961), the year before
    "forgymnasial": -1.5,
    # per unit share (0–1) with gymnasial utbildning (N00962): no effect of its own
    "gymnasial": 0.0,
    # per 10 percentage points of the local labour market (N00485)
    "arbetsmarknad": 0.25,
    # per calendar year
    "ar": 0.03,
    # standard deviation of the kommun random effect u_i
    "kommun_sd": 0.3,
    # the composition and labour market the intercept refers to
    "reference_shares": {"eftergymnasial": 0.25, "forgymnasial": 0.40, "gymnasial": 0.25},
    "reference_labour_pct": 55.0,
    # standard deviation of the kommuner's labour market on the logit scale
    "labour_sd": 0.35,
}

# Invented national totals per year: people who left (N00964) and were enrolled (N00960).
LEFT_PROFILE = {
    2016: 14_000,
    2017: 26_000,
    2018: 36_000,
    2019: 30_000,
    2020: 21_000,
    2021: 13_000,
    2022: 8_000,
    2023: 5_500,
    2024: 4_500,
}
ENROLLED_PROFILE = {
    2016: 30_000,
    2017: 32_000,
    2018: 22_000,
    2019: 14_000,
    2020: 10_000,
    2021: 8_000,
    2022: 6_000,
    2023: 5_000,
    2024: 4_500,
}
# Education categories of participants (kommun means drawn around these): saknar formell
# grundläggande, förgymnasial < 9 år, förgymnasial 9 (10) år, gymnasial, eftergymnasial < 2 år,
# eftergymnasial > 2 år.
EDUCATION_MEAN = np.array([0.12, 0.14, 0.14, 0.25, 0.10, 0.25])
EDUCATION_KPIS = (
    kpis.EDU_NONE,
    kpis.EDU_PRIMARY_SHORT,
    kpis.EDU_PRIMARY_9,
    kpis.EDU_SECONDARY,
    None,
    kpis.EDU_TERTIARY,
)

SHARE_KPIS = {  # kpi -> (numerator, denominator) columns, per gender
    kpis.WORK_OR_STUDIES: ("succ", "left"),
    kpis.WORK: ("work", "left"),
    kpis.STUDIES: ("study", "left"),
    kpis.SUPPORTED_WORK: ("support", "left"),
    kpis.PROGRAMME: ("prog", "left"),
    kpis.REFUGEES_EMPLOYED: ("emp", "refpop"),
    kpis.REFUGEES_EMPLOYED_4_6: ("emp46", "refpop46"),
}
COUNT_KPIS = {kpis.LEFT: "left", kpis.ENROLLED: "enrolled"}
EDU_SHARE_KPIS = (
    kpis.EDU_PRIMARY,
    kpis.EDU_SECONDARY,
    kpis.EDU_TERTIARY,
    kpis.EDU_PRIMARY_SHORT,
    kpis.EDU_PRIMARY_9,
    kpis.EDU_NONE,
)


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def _profile(profile: dict[int, int], year: int) -> float:
    if year in profile:
        return float(profile[year])
    nearest = min(profile, key=lambda y: abs(y - year))
    return float(profile[nearest])


def _kommun_frame(kommuner: pd.DataFrame, years: list[int], rng) -> pd.DataFrame:
    """One row per kommun-year with every numerator and denominator the KPIs are built from.

    The first year is the year before `years`: only its enrolment and education are published
    (they describe those who leave in the first year).
    """
    eff = DEMO_EFFECTS
    ref = eff["reference_shares"]
    k = len(kommuner)
    # Cohorts follow the kommun's population (when known) with lognormal spread around it, so
    # large kommuner get realistic hundreds and small ones a few; some fall under 10.
    weight = kommuner["population"].to_numpy(float) if "population" in kommuner else np.ones(k)
    size = weight * rng.lognormal(0.0, 0.6 if "population" in kommuner else 1.1, k)
    size /= size.sum()
    u = rng.normal(0.0, eff["kommun_sd"], k)
    women_share = rng.beta(0.45 * 40, 0.55 * 40, k)
    base_edu = rng.dirichlet(EDUCATION_MEAN * 30, k)
    labour = rng.normal(0.0, eff["labour_sd"], k)  # the kommun's labour market (logit)
    u_ref = rng.normal(0.0, 0.25, k)  # kommun effect on refugees' employment (N00700, N02994)
    labour_ref = np.log(eff["reference_labour_pct"] / (100.0 - eff["reference_labour_pct"]))

    rows = []
    for i, code in enumerate(kommuner["code"]):
        edu_before = rng.dirichlet(base_edu[i] * 150)
        for year in [years[0] - 1, *years]:
            edu = rng.dirichlet(base_edu[i] * 150)
            left = rng.poisson(_profile(LEFT_PROFILE, year) * size[i])
            enrolled = rng.poisson(_profile(ENROLLED_PROFILE, year) * size[i])
            left_k = rng.binomial(left, women_share[i])
            enrolled_k = rng.binomial(enrolled, women_share[i])
            refpop = rng.poisson(300_000 * size[i])
            refpop46 = rng.poisson(60_000 * size[i])
            refpop_k = rng.binomial(refpop, 0.45)
            refpop46_k = rng.binomial(refpop46, 0.45)
            labour_pct = round(100.0 * _expit(labour_ref + 0.03 * (year - 2016) + labour[i]), 1)
            primary_before = edu_before[0] + edu_before[1] + edu_before[2]
            eta = (
                eff["intercept"]
                + eff["eftergymnasial"] * (edu_before[5] - ref["eftergymnasial"])
                + eff["forgymnasial"] * (primary_before - ref["forgymnasial"])
                + eff["gymnasial"] * (edu_before[3] - ref["gymnasial"])
                + eff["arbetsmarknad"] * (labour_pct - eff["reference_labour_pct"]) / 10.0
                + eff["ar"] * (year - 2016)
                + u[i]
            )
            rec = {"area_code": code, "year": year, "labour_pct": labour_pct}
            emp_total = 0
            for g, n, ref_n, ref46_n in (
                ("K", left_k, refpop_k, refpop46_k),
                ("M", left - left_k, refpop - refpop_k, refpop46 - refpop46_k),
            ):
                p = _expit(eta + (eff["kvinna"] if g == "K" else 0.0))
                succ = rng.binomial(n, p)
                work = rng.binomial(succ, 0.7 if g == "K" else 0.85)
                rec[f"left_{g}"] = n
                rec[f"succ_{g}"] = succ
                rec[f"work_{g}"] = work
                rec[f"study_{g}"] = succ - work
                rec[f"support_{g}"] = rng.binomial(work, 0.4)
                rec[f"prog_{g}"] = rng.binomial(n - succ, 0.45)
                logit_emp = (
                    np.log(labour_pct / (100.0 - labour_pct))
                    + u_ref[i]
                    + (0.35 if g == "M" else -0.35)
                )
                rec[f"refpop_{g}"] = ref_n
                rec[f"emp_{g}"] = rng.binomial(ref_n, _expit(logit_emp))
                emp_total += rec[f"emp_{g}"]
                rec[f"refpop46_{g}"] = ref46_n
                rec[f"emp46_{g}"] = rng.binomial(ref46_n, _expit(logit_emp - 0.1))
                rec[f"studying_{g}"] = rng.binomial(ref_n, 0.15)
            rec["enrolled_K"] = enrolled_k
            rec["enrolled_M"] = enrolled - enrolled_k
            # education numerators weighted by participants, so län/riket sums are weighted
            # means; women and men have the same mix
            parts = dict(zip(EDUCATION_KPIS, edu, strict=True))
            parts[kpis.EDU_PRIMARY] = edu[0] + edu[1] + edu[2]
            for kpi in EDU_SHARE_KPIS:
                rec[f"edu_{kpi}_K"] = parts[kpi] * enrolled_k
                rec[f"edu_{kpi}_M"] = parts[kpi] * (enrolled - enrolled_k)
            rows.append(rec)
            edu_before = edu
    frame = pd.DataFrame(rows)
    stems = {*COUNT_KPIS.values()} | {c for pair in SHARE_KPIS.values() for c in pair}
    stems |= {f"edu_{kpi}" for kpi in EDU_SHARE_KPIS} | {"studying"}
    for stem in stems:
        frame[f"{stem}_T"] = frame[f"{stem}_K"] + frame[f"{stem}_M"]
    frame["n_kommuner"] = 1
    return frame


def _aggregate(kommun: pd.DataFrame, kommuner: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    numeric = [c for c in kommun.columns if c not in ("area_code", "year")]
    lan_of = dict(zip(kommuner["code"], "00" + kommuner["lan_code"], strict=True))
    frames = [kommun]
    lan_codes = set(areas.loc[areas["kind"] == "lan", "code"])
    by_lan = kommun.assign(area_code=kommun["area_code"].map(lan_of))
    by_lan = by_lan[by_lan["area_code"].isin(lan_codes)]
    frames.append(by_lan.groupby(["area_code", "year"], as_index=False)[numeric].sum())
    if (areas["kind"] == "riket").any():
        riket = kommun.groupby("year", as_index=False)[numeric].sum()
        frames.append(riket.assign(area_code="0000"))
    return pd.concat(frames, ignore_index=True)


def _share_rows(wide: pd.DataFrame, kpi: str, num, den) -> pd.DataFrame:
    """Shares as Kolada's dump has them: unrounded, missing (status Missing) without a base."""
    den = den.astype(float)
    has = den > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(has, 100.0 * num / den.where(has, 1.0), np.nan)
    return pd.DataFrame(
        {
            "kpi": kpi,
            "area_code": wide["area_code"],
            "year": wide["year"],
            "value": value,
            "count": np.where(has, wide["n_kommuner"], np.nan),
            "status": np.where(has, "", "Missing"),
        }
    )


def _value_rows(wide: pd.DataFrame, kpi: str, value, gender: str = "T") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kpi": kpi,
            "area_code": wide["area_code"],
            "year": wide["year"],
            "value": np.asarray(value, dtype=float),
            "count": wide["n_kommuner"].astype(float),
            "status": "",
            "gender": gender,
        }
    )


def _long(wide: pd.DataFrame, first_year: int) -> pd.DataFrame:
    """The long table; the year before `first_year` only has enrolment and education."""
    parts = []
    for g in ("K", "M", "T"):
        for kpi, (num, den) in SHARE_KPIS.items():
            rows = _share_rows(wide, kpi, wide[f"{num}_{g}"], wide[f"{den}_{g}"])
            parts.append(rows.assign(gender=g))
        for kpi, stem in COUNT_KPIS.items():
            parts.append(_value_rows(wide, kpi, wide[f"{stem}_{g}"], g))
        for kpi in EDU_SHARE_KPIS:
            rows = _share_rows(wide, kpi, wide[f"edu_{kpi}_{g}"], wide[f"enrolled_{g}"])
            parts.append(rows.assign(gender=g))
    studying = _share_rows(wide, kpis.REFUGEES_STUDYING, wide["studying_T"], wide["refpop_T"])
    parts.append(studying.assign(gender="T"))
    # SCB's expected value for kommuner only (Kolada has no län value); its deviation
    kommun = wide[~wide["area_code"].str.startswith("00")]
    parts.append(_value_rows(kommun, kpis.SCB_EXPECTED, kommun["labour_pct"]))
    employed = 100.0 * kommun["emp_T"] / kommun["refpop_T"].where(kommun["refpop_T"] > 0)
    parts.append(_value_rows(kommun, kpis.SCB_DEVIATION, employed - kommun["labour_pct"]))
    long = pd.concat(parts, ignore_index=True)
    before = long["year"] < first_year
    long = long[~before | long["kpi"].isin([kpis.ENROLLED, *EDU_SHARE_KPIS])]
    long = long[long["value"].notna() | (long["status"] == "Missing")]
    long["origin"] = Origin.SYNTHETIC.value
    long["retrieved"] = ""
    long["source_file"] = ""
    long["year"] = long["year"].astype(int)
    columns = ["kpi", "area_code", "year", "gender", "value", "count", "status", "origin"]
    long = long[[*columns, "retrieved", "source_file"]]
    return long.sort_values(["kpi", "area_code", "year", "gender"], ignore_index=True)


def demo_kpi_values(
    areas: pd.DataFrame,
    seed: int = 2016,
    years: Iterable[int] = DEMO_YEARS,
    population: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Synthetic KPI values for every kommun in `areas`, plus län and riket, in `kpi_values` form.

    Deterministic for a given seed, set of areas and population. The true effects are
    DEMO_EFFECTS. With `population` (the population table) cohort sizes follow each kommun's
    latest population. Enrolment and education start the year before the first year.
    """
    kommuner = areas[areas["kind"] == "kommun"].sort_values("code")
    if population is not None and not population.empty:
        latest = population.sort_values("year").drop_duplicates("area_code", keep="last")
        sizes = latest.set_index("area_code")["population"]
        kommuner = kommuner.assign(population=kommuner["code"].map(sizes).fillna(sizes.median()))
    years = sorted({int(y) for y in years})
    rng = np.random.default_rng(seed)
    kommun = _kommun_frame(kommuner, years, rng)
    wide = _aggregate(kommun, kommuner, areas)
    return validate("kpi_values", _long(wide, years[0]))
