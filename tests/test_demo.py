"""The synthetic panel: schema, determinism, and that the trend model recovers the gender effect.

The recovery tests use fixed seeds, so they are deterministic. When they were written the same
checks were run on seeds 0–99: the trend model's 95 % interval (three largest kommuner) held the
true gender effect −0.9 for 96–97 % of the seeds (mean estimate −0.895) and always excluded 0.
The expected-value model's recovery of the demo's effects is in test_expected.py.
"""

import numpy as np
import pandas as pd
import pytest

from etablering.analysis import outcomes
from etablering.data.demo import DEMO_EFFECTS, DEMO_SOURCE, demo_kpi_values
from etablering.data.store import validate

SEEDS = (2016, 1)


@pytest.fixture(scope="module")
def demo(areas):
    return {seed: demo_kpi_values(areas, seed=seed) for seed in SEEDS}


def _wide(kv: pd.DataFrame, gender: str = "T") -> pd.DataFrame:
    rows = kv[kv["gender"] == gender]
    return rows.pivot_table(
        index=["area_code", "year"], columns="kpi", values="value", dropna=False
    )


def test_schema_sources_and_coverage(demo, areas):
    kv = demo[2016]
    validate("kpi_values", kv)  # raises if not
    assert (kv["origin"] == "syntetisk").all() and DEMO_SOURCE.startswith("SYNTETISKA DATA")
    assert (kv["retrieved"] == "").all()
    assert set(kv["area_code"]) == set(areas["code"])  # 290 kommuner, 21 län, riket
    # outcomes 2016–2024; enrolment and education from the year before (the leavers' cohort)
    assert sorted(kv["year"].unique()) == list(range(2015, 2025))
    assert (
        kv.loc[kv["year"] == 2015, "kpi"]
        .isin(["N00960", "N00961", "N00962", "N00963", "N00969", "N00970", "N00994"])
        .all()
    )
    by_gender = kv.groupby("kpi")["gender"].unique().map(sorted)
    for kpi in ("N00973", "N00971", "N00972", "N00995", "N00991", "N00964", "N00960"):
        assert by_gender[kpi] == ["K", "M", "T"]
    for kpi in ("N00700", "N02994"):
        assert by_gender[kpi] == ["K", "M", "T"]
    for kpi in ("N00961", "N00962", "N00963", "N00969", "N00970", "N00994"):
        assert by_gender[kpi] == ["K", "M", "T"]
    for kpi in ("N00485", "N00486", "N00701"):  # Kolada's model: kommuner only, like the dump
        assert by_gender[kpi] == ["T"]
    scb = kv[kv["kpi"] == "N00485"]
    assert not scb["area_code"].str.startswith("00").any()


def test_deterministic_for_a_seed_and_different_for_another(areas, demo):
    again = demo_kpi_values(areas, seed=2016)
    pd.testing.assert_frame_equal(again, demo[2016])
    other = demo[1]
    assert not np.allclose(
        other["value"].fillna(-1).to_numpy(), demo[2016]["value"].fillna(-1).to_numpy()
    )


def test_counts_shares_and_aggregates_are_coherent(demo):
    kv = demo[2016]
    kommun = kv[~kv["area_code"].str.startswith("00")]
    w = _wide(kommun)
    left = w["N00964"]
    assert (left == 0).sum() >= 1 and ((left > 0) & (left < 10)).sum() >= 20
    # no leavers: the share is missing with status Missing, never 0
    zero = kommun[(kommun["kpi"] == "N00973") & (kommun["gender"] == "T")].set_index(
        ["area_code", "year"]
    )
    zero = zero.loc[left[left == 0].index]
    assert zero["value"].isna().all() and (zero["status"] == "Missing").all()
    assert (kv.loc[kv["value"].notna(), "status"] == "").all()
    # K + M = T for counts; work + studies = the headline share; shares unrounded as in the
    # dump, so share × leavers / 100 is a whole number of persons
    assert (_wide(kommun, "K")["N00964"] + _wide(kommun, "M")["N00964"]).equals(left)
    has = left > 0
    diff = (w["N00971"] + w["N00972"] - w["N00973"])[has]
    assert diff.abs().max() < 1e-9
    persons = (w["N00973"] * left / 100)[has]
    assert (persons - persons.round()).abs().max() < 1e-6
    # Kolada's deviation is employment minus its expected value
    dev = (w["N00700"] - w["N00485"] - w["N00486"]).dropna()
    assert len(dev) > 2000 and dev.abs().max() < 1e-9
    # education shares (T) sum sensibly
    edu = w[w["N00960"] > 0]
    assert ((edu["N00994"] + edu["N00969"] + edu["N00970"] - edu["N00961"]).abs() <= 2).all()
    assert (edu[["N00961", "N00962", "N00963"]].sum(axis=1) <= 101).all()
    # riket is the cohort-weighted aggregate of the kommuner
    riket = _wide(kv[kv["area_code"] == "0000"]).droplevel("area_code").loc[2016:]
    assert (riket["N00964"] == left.groupby(level="year").sum().loc[2016:]).all()
    successes = (w["N00973"] / 100 * left)[has].groupby(level="year").sum()
    implied = 100 * successes / riket["N00964"]
    assert ((implied - riket["N00973"]).abs() < 1).all()
    # län 0025 (Norrbotten) holds Luleå
    lan = _wide(kv[kv["area_code"] == "0025"]).droplevel("area_code").loc[2016:]
    norrbotten = [c for c in w.index.get_level_values("area_code").unique() if c[:2] == "25"]
    by_year = left.loc[norrbotten].groupby(level="year").sum().loc[2016:]
    assert (lan["N00964"] == by_year).all()


@pytest.fixture(scope="module")
def fitted(demo):
    out = {}
    for seed, kv in demo.items():
        left = kv[(kv["kpi"] == "N00964") & (kv["gender"] == "T")]
        kommun_totals = left[~left["area_code"].str.startswith("00")].groupby("area_code")["value"]
        biggest = kommun_totals.sum().idxmax()
        out[seed] = {
            "trend": outcomes.trend_model(outcomes.outcome_table(kv, biggest, synthetic=True))
        }
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_trend_model_recovers_the_gender_effect(fitted, seed):
    trend = fitted[seed]["trend"]
    effect = trend.gender_effect.iloc[0]
    truth = DEMO_EFFECTS["kvinna"]
    assert effect["ci_low"] <= truth <= effect["ci_high"]
    assert effect["ci_high"] < 0  # the gap is detected ...
    assert effect["ci_high"] - effect["ci_low"] < 0.5  # ... with an interval that says something
    # quasi-binomial: the covariance is scaled by the Pearson dispersion when it exceeds 1
    if trend.quasi:
        assert trend.result.scale == pytest.approx(trend.dispersion)
    p = trend.predictions
    assert set(p["gender"]) == {"K", "M"} and (p["low_pct"] < p["pred_pct"]).all()
    assert (p["pred_pct"] < p["high_pct"]).all()
    women, men = (p[p["gender"] == g]["pred_pct"].to_numpy() for g in "KM")
    assert (women < men).all()


def test_synthetic_rows_never_enter_a_real_panel(demo):
    assert outcomes.kommun_counts(demo[2016], synthetic=False).empty
