"""A seeded synthetic Kolada panel for the etablering KPIs, in the `kpi_values` table itself.

Real cohort sizes (N00964) and most kommuner's outcome series are not in the offline snapshot, so
the statistics in `outcomes` are exercised, demonstrated and validated on data generated here
from a known model. Every row carries the origin ``syntetisk`` (DEMO_SOURCE names it), which
`outcomes` uses to keep synthetic and real values apart: never show these numbers as facts
about a kommun.

The data-generating model (all effects in DEMO_EFFECTS, logit scale) for a person of gender g
who left the programme in kommun i in year t:

    logit P(arbete eller studier efter 90 dagar)
        = intercept + kvinna·[g = K]
          + eftergymnasial·(e_it − 0.25) + saknar_utbildning·(s_it − 0.12) + gymnasial·(g_it − 0.25)
          + ar·(t − 2016) + u_i,          u_i ~ N(0, kommun_sd²)

where e_it, s_it, g_it are the kommun-year's education shares (0–1) among participants.
Successes are drawn binomially; published shares are 100·successes/n rounded to whole percent,
as Kolada publishes them. Cohort sizes (N00964, N00960) are Poisson around an invented national
profile times a per-kommun size, so some kommuner have cohorts under 10 and a few have 0, where
the share is missing (status "Missing"). Län and riket rows are cohort-weighted aggregates of
their kommuner.

In the demo, N00961 (högst förgymnasial) = N00994 + N00969 + N00970, and N00961 + N00962 +
N00963 + eftergymnasial under 2 år (not published) = 100 %, before rounding. The national
profiles below are invented to look plausible; they are not Arbetsförmedlingen's numbers.
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
    # logit of the 90-day outcome for a man, reference composition, year 2016, u_i = 0 (≈ 44 %)
    "intercept": -0.25,
    # women vs men, same kommun, year and composition (odds ratio ≈ 0.41)
    "kvinna": -0.9,
    # per unit share (0–1) of participants with eftergymnasial utbildning > 2 år (N00963)
    "eftergymnasial": 2.0,
    # per unit share (0–1) of participants without formal basic education (N00994)
    "saknar_utbildning": -1.5,
    # per unit share (0–1) with gymnasial utbildning (N00962): no effect of its own
    "gymnasial": 0.0,
    # per calendar year
    "ar": 0.03,
    # standard deviation of the kommun random effect u_i
    "kommun_sd": 0.3,
    # the composition the intercept refers to
    "reference_shares": {"eftergymnasial": 0.25, "saknar_utbildning": 0.12, "gymnasial": 0.25},
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
    """One row per kommun-year with every numerator and denominator the KPIs are built from."""
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
    u_ref = rng.normal(0.0, 0.25, k)  # kommun effect on refugees' employment (N00700, N02994)

    rows = []
    for i, code in enumerate(kommuner["code"]):
        for year in years:
            edu = rng.dirichlet(base_edu[i] * 150)
            left = rng.poisson(_profile(LEFT_PROFILE, year) * size[i])
            enrolled = rng.poisson(_profile(ENROLLED_PROFILE, year) * size[i])
            left_k = rng.binomial(left, women_share[i])
            enrolled_k = rng.binomial(enrolled, women_share[i])
            refpop = rng.poisson(300_000 * size[i])
            refpop46 = rng.poisson(60_000 * size[i])
            refpop_k = rng.binomial(refpop, 0.45)
            refpop46_k = rng.binomial(refpop46, 0.45)
            eta = (
                eff["intercept"]
                + eff["eftergymnasial"] * (edu[5] - ref["eftergymnasial"])
                + eff["saknar_utbildning"] * (edu[0] - ref["saknar_utbildning"])
                + eff["gymnasial"] * (edu[3] - ref["gymnasial"])
                + eff["ar"] * (year - 2016)
                + u[i]
            )
            rec = {"area_code": code, "year": year}
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
                p_emp = _expit((0.49 if g == "M" else -0.2) + 0.02 * (year - 2016) + u_ref[i])
                rec[f"refpop_{g}"] = ref_n
                rec[f"emp_{g}"] = rng.binomial(ref_n, p_emp)
                rec[f"refpop46_{g}"] = ref46_n
                rec[f"emp46_{g}"] = rng.binomial(ref46_n, _expit(np.log(p_emp / (1 - p_emp)) - 0.1))
            rec["enrolled_K"] = enrolled_k
            rec["enrolled_M"] = enrolled - enrolled_k
            # education numerators weighted by participants, so län/riket sums are weighted means
            parts = dict(zip(EDUCATION_KPIS, edu, strict=True))
            parts[kpis.EDU_PRIMARY] = edu[0] + edu[1] + edu[2]
            for kpi in EDU_SHARE_KPIS:
                rec[f"edu_{kpi}"] = parts[kpi] * enrolled
            rows.append(rec)
    frame = pd.DataFrame(rows)
    for stem in {*COUNT_KPIS.values()} | {c for pair in SHARE_KPIS.values() for c in pair}:
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
    den = den.astype(float)
    has = den > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(has, np.floor(100.0 * num / den.where(has, 1.0) + 0.5), np.nan)
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


def _long(wide: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for g in ("K", "M", "T"):
        for kpi, (num, den) in SHARE_KPIS.items():
            rows = _share_rows(wide, kpi, wide[f"{num}_{g}"], wide[f"{den}_{g}"])
            parts.append(rows.assign(gender=g))
        for kpi, stem in COUNT_KPIS.items():
            parts.append(
                pd.DataFrame(
                    {
                        "kpi": kpi,
                        "area_code": wide["area_code"],
                        "year": wide["year"],
                        "value": wide[f"{stem}_{g}"].astype(float),
                        "count": wide["n_kommuner"].astype(float),
                        "status": "",
                        "gender": g,
                    }
                )
            )
    for kpi in EDU_SHARE_KPIS:
        rows = _share_rows(wide, kpi, wide[f"edu_{kpi}"], wide["enrolled_T"])
        parts.append(rows.assign(gender="T"))
    long = pd.concat(parts, ignore_index=True)
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
    latest population.
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
    return validate("kpi_values", _long(wide))
