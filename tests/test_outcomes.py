"""Outcome statistics checked against formulas written out by hand and against the real snapshot."""

import math

import numpy as np
import pandas as pd
import pytest

from etablering.analysis import outcomes
from etablering.core.errors import MissingDataError, ParameterError
from etablering.data.store import validate
from etablering.reports.outcomes import note_text, pooled_reason

Z = 1.959963984540054  # standard normal 97.5 % quantile


def words(row) -> str:
    """A row's note as the report words it."""
    return note_text(row)


def wilson_by_hand(x: int, n: int) -> tuple[float, float]:
    """Wilson (1927) score interval, in percent."""
    p = x / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return 100 * (centre - half), 100 * (centre + half)


# --- Wilson ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "n", "expected"),
    [(29, 100, (21.01, 38.54)), (66, 100, (56.28, 74.54))],
)
def test_wilson_matches_the_formula(x, n, expected):
    low, high = outcomes.wilson_interval(x, n)
    hand_low, hand_high = wilson_by_hand(x, n)
    assert float(low) == pytest.approx(hand_low, abs=1e-4)
    assert float(high) == pytest.approx(hand_high, abs=1e-4)
    # and the rounded published-looking numbers
    assert (round(float(low), 2), round(float(high), 2)) == pytest.approx(expected, abs=0.01)


def test_wilson_is_vectorised_and_refuses_small_or_zero_cohorts():
    low, high = outcomes.wilson_interval(
        pd.array([29, 0, 3, pd.NA, 66], dtype="Int64"), np.array([100, 0, 5, 40, np.nan])
    )
    assert low.shape == high.shape == (5,)
    assert low[0] == pytest.approx(wilson_by_hand(29, 100)[0], abs=1e-4)
    # n = 0, n = 5 (< SMALL_COHORT), unknown successes, unknown n: no interval, no warning
    assert np.isnan(low[1:]).all() and np.isnan(high[1:]).all()
    low, high = outcomes.wilson_interval(5, 9)
    assert np.isnan(low) and np.isnan(high)
    low, high = outcomes.wilson_interval(0, 10)  # 0 % is fine with a real cohort
    assert float(low) == 0.0 and float(high) == pytest.approx(wilson_by_hand(0, 10)[1], abs=1e-4)


# --- Newcombe and z-test ------------------------------------------------------------------


def test_newcombe_gap_matches_method_10_by_hand():
    x1, n1, x2, n2 = 29, 100, 66, 120  # women, men
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = (v / 100 for v in wilson_by_hand(x1, n1))
    l2, u2 = (v / 100 for v in wilson_by_hand(x2, n2))
    d = p1 - p2
    # Newcombe (1998), method 10: the hybrid score interval from the two Wilson intervals
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    # pooled two-proportion z-test
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = d / se
    p_value = math.erfc(abs(z) / math.sqrt(2))

    gap = outcomes.gap_interval(x1, n1, x2, n2).iloc[0]
    assert gap["gap_pp"] == pytest.approx(100 * d, abs=1e-4)
    assert gap["gap_low"] == pytest.approx(100 * low, abs=1e-4)
    assert gap["gap_high"] == pytest.approx(100 * high, abs=1e-4)
    assert gap["p_value"] == pytest.approx(p_value, rel=1e-6)
    assert round(gap["gap_pp"], 2) == -26.0 and gap["gap_high"] < 0


def test_gap_is_nan_for_small_zero_or_unknown_cohorts():
    # women 3 of 9; 0 of 0; 20 of 50 against 60 "of" 50 (impossible); 20 of unknown
    gaps = outcomes.gap_interval(
        [3, 0, 20, 20], [9, 0, 50, np.nan], [5, 5, 60, 30], [20, 20, 50, 60]
    )
    assert gaps[["gap_pp", "gap_low", "gap_high", "p_value"]].isna().all().all()
    both_zero = outcomes.gap_interval(0, 20, 0, 30).iloc[0]
    assert both_zero["gap_pp"] == 0 and np.isnan(both_zero["p_value"])  # no variation, no test


# --- outcome_table on a hand-made table --------------------------------------------------


def _rows(kpi, year, gender, value, status="", origin="kolada_api"):
    return {
        "kpi": kpi,
        "area_code": "0114",
        "year": year,
        "gender": gender,
        "value": float(value),
        "count": 1.0,
        "status": status,
        "origin": origin,
        "retrieved": "2025-01-01",
        "source_file": "",
    }


@pytest.fixture
def hand_made():
    nan = float("nan")
    rows = [
        # 2020: everything there
        _rows("N00973", 2020, "K", 40),
        _rows("N00973", 2020, "M", 60),
        _rows("N00973", 2020, "T", 49),
        _rows("N00964", 2020, "K", 50),
        _rows("N00964", 2020, "M", 40),
        _rows("N00964", 2020, "T", 90),
        # 2021: K share without cohort, M share Missing, T cohort of 5
        _rows("N00973", 2021, "K", 30),
        _rows("N00973", 2021, "M", nan, "Missing"),
        _rows("N00973", 2021, "T", 20),
        _rows("N00964", 2021, "M", 20),
        _rows("N00964", 2021, "T", 5),
        # 2022: nobody left among women
        _rows("N00973", 2022, "K", nan, "Missing"),
        _rows("N00973", 2022, "M", 50),
        _rows("N00973", 2022, "T", 50),
        _rows("N00964", 2022, "K", 0),
        _rows("N00964", 2022, "M", 30),
        _rows("N00964", 2022, "T", 30),
        # an older real origin and a synthetic one for the same key: never chosen / mixed
        _rows("N00973", 2020, "K", 99, origin="kolada_uttag"),
        _rows("N00973", 2020, "K", 11, origin="syntetisk"),
        _rows("N00964", 2020, "K", 1000, origin="syntetisk"),
    ]
    return validate("kpi_values", pd.DataFrame(rows))


def test_outcome_table_notes_and_missing_values(hand_made):
    table = outcomes.outcome_table(hand_made, "0114", years=[2020, 2021, 2022, 2023])
    assert list(table.columns[:8]) == [
        "year",
        "gender",
        "share_pct",
        "cohort_n",
        "successes",
        "low_pct",
        "high_pct",
        "note",
    ]
    assert len(table) == 12
    t = table.set_index(["year", "gender"])

    k20 = t.loc[(2020, "K")]
    assert (k20["share_pct"], k20["cohort_n"], k20["successes"]) == (40.0, 50.0, 20)
    assert (k20["low_pct"], k20["high_pct"]) == pytest.approx(wilson_by_hand(20, 50), abs=1e-4)
    assert words(k20) == "" and k20["origin"] == "kolada_api"
    assert t.loc[(2020, "T"), "successes"] == 44  # round(0.49 * 90) = round(44.1)

    k21 = t.loc[(2021, "K")]
    assert k21["share_pct"] == 30 and np.isnan(k21["cohort_n"]) and pd.isna(k21["successes"])
    assert np.isnan(k21["low_pct"]) and np.isnan(k21["high_pct"])
    assert words(k21) == "antal som lämnat saknas – inget osäkerhetsintervall"

    m21 = t.loc[(2021, "M")]
    assert np.isnan(m21["share_pct"]) and m21["cohort_n"] == 20 and pd.isna(m21["successes"])
    assert words(m21) == "andel saknas (Kolada: Missing)"

    t21 = t.loc[(2021, "T")]
    assert t21["successes"] == 1 and np.isnan(t21["low_pct"])
    assert words(t21) == "färre än 10 personer – inget intervall"

    k22 = t.loc[(2022, "K")]
    assert k22["cohort_n"] == 0 and np.isnan(k22["share_pct"]) and pd.isna(k22["successes"])
    assert words(k22) == "inga som lämnat (0)"

    for g in "KMT":
        row = t.loc[(2023, g)]
        assert (
            np.isnan(row["share_pct"]) and np.isnan(row["cohort_n"]) and pd.isna(row["successes"])
        )
        assert words(row) == "uppgift saknas för året"


def test_outcome_table_keeps_synthetic_and_real_apart(hand_made):
    real = outcomes.outcome_table(hand_made, "0114").set_index(["year", "gender"])
    assert sorted(real.index.get_level_values("year").unique()) == [2020, 2021, 2022]
    assert real.loc[(2020, "K"), "share_pct"] == 40  # the API's figure wins over the dump's
    synthetic = outcomes.outcome_table(hand_made, "0114", synthetic=True)
    assert list(synthetic["year"].unique()) == [2020]
    s = synthetic.set_index("gender")
    assert (s.loc["K", "share_pct"], s.loc["K", "cohort_n"]) == (11, 1000)
    assert [words(s.loc[g]) for g in "MT"] == ["uppgift saknas för året"] * 2  # nothing borrowed
    assert s.loc["K", "origin"] == "syntetisk"


def test_outcome_table_wants_a_four_digit_text_code(hand_made):
    with pytest.raises(ParameterError, match="fyra siffror"):
        outcomes.outcome_table(hand_made, 114)


def test_gender_gap_table(hand_made):
    table = outcomes.outcome_table(hand_made, "0114", years=[2020, 2021, 2022, 2023])
    gaps = outcomes.gender_gap_table(table).set_index("year")
    g20 = gaps.loc[2020]
    assert (g20["women_pct"], g20["men_pct"], g20["gap_pp"]) == (40, 60, -20)
    by_hand = outcomes.gap_interval(20, 50, 24, 40).iloc[0]
    assert g20["gap_low"] == pytest.approx(by_hand["gap_low"])
    assert g20["gap_high"] == pytest.approx(by_hand["gap_high"])
    assert g20["p_value"] == pytest.approx(by_hand["p_value"]) and words(g20) == ""
    assert words(gaps.loc[2021]) == "andel saknas för män"
    assert np.isnan(gaps.loc[2021, "gap_pp"]) and np.isnan(gaps.loc[2021, "gap_low"])
    assert words(gaps.loc[2022]) == "andel saknas för kvinnor"
    assert words(gaps.loc[2023]) == "andel saknas för kvinnor och män"


def test_trend_model_needs_three_years_of_cohorts(hand_made):
    table = outcomes.outcome_table(hand_made, "0114")
    with pytest.raises(MissingDataError, match="minst 3 år"):
        outcomes.trend_model(table)


def test_headline_shows_the_gap_a_reader_can_add_up_and_pools_small_years(hand_made):
    table = outcomes.outcome_table(hand_made, "0114", years=[2020, 2021, 2022])
    h = outcomes.headline(table)
    # 2022: no woman left (0), so no year with both shares after 2020
    assert h.years == [2020] and not h.pooled and h.counted
    assert (h.women["successes"], h.women["n"], h.men["successes"], h.men["n"]) == (20, 50, 24, 40)
    assert h.gap_shown == -20 and h.label == "2020"
    by_hand = outcomes.gap_interval(20, 50, 24, 40).iloc[0]
    assert (h.gap_low, h.gap_high) == pytest.approx((by_hand["gap_low"], by_hand["gap_high"]))


# --- the real snapshot -----------------------------------------------------------------------


def test_lulea_real_series_has_cohorts_from_kolada_and_intervals(kpi_values):
    table = outcomes.outcome_table(kpi_values, "2580")
    # N00964 (leavers) from 2014, N00973 from 2015, Luleå's own table to 2024
    assert sorted(table["year"].unique()) == list(range(2014, 2025))
    t = table.set_index(["year", "gender"])
    # Kolada's N00973 and N00964: 14 of 49 women and 78 of 118 men in work or studies
    assert [round(t.loc[(2018, g), "share_pct"]) for g in "KMT"] == [29, 66, 55]
    assert [t.loc[(2018, g), "cohort_n"] for g in "KMT"] == [49, 118, 167]
    assert [t.loc[(2018, g), "successes"] for g in "KMT"] == [14, 78, 92]
    assert (t.loc[(2018, "K"), "low_pct"], t.loc[(2018, "K"), "high_pct"]) == pytest.approx(
        wilson_by_hand(14, 49), abs=1e-4
    )
    # 2023–2024 only in Luleå's own table (whole percent, no cohort): shares without intervals
    for g in "KMT":
        assert t.loc[(2023, g), "origin"] == "transkriberad"
        assert words(t.loc[(2023, g)]) == "antal som lämnat saknas – inget osäkerhetsintervall"
    gaps = outcomes.gender_gap_table(table).set_index("year")
    assert gaps.loc[2018, "gap_pp"] == pytest.approx(100 * (14 / 49 - 78 / 118), abs=1e-4)
    assert gaps.loc[2018, "p_value"] < 0.001


def test_riket_has_women_and_men_from_the_dump(kpi_values):
    t = outcomes.outcome_table(kpi_values, "0000").set_index(["year", "gender"])
    assert [round(t.loc[(2018, g), "share_pct"]) for g in "KMT"] == [33, 54, 45]
    assert t.loc[(2018, "T"), "cohort_n"] == 38_366
    # the real snapshot holds no synthetic rows
    assert outcomes.outcome_table(kpi_values, "0000", synthetic=True).empty


def test_trend_model_uses_t_quantiles(kpi_values):
    from scipy import stats

    trend = outcomes.trend_model(outcomes.outcome_table(kpi_values, "0680"))
    effect = trend.gender_effect.iloc[0]
    t = stats.t.ppf(0.975, trend.df_resid)
    assert trend.df_resid == 12  # 8 years × 2 genders − 4 terms
    assert effect["ci_high"] - effect["estimate"] == pytest.approx(t * effect["std_error"])


@pytest.mark.parametrize(
    ("code", "women", "men"), [("2506", 7, 5), ("0512", 9, 9), ("2422", 9, 11)]
)
def test_trend_model_says_when_tiny_groups_separate_completely(kpi_values, code, women, men):
    """Arjeplog, Ydre, Sorsele: a handful who left, all or none in work in some group. The fit
    gave odds ratios of 0,00 or 2,7·10^17 with intervals to infinity; now it says why it has none."""
    table = outcomes.outcome_table(kpi_values, code)
    with pytest.raises(MissingDataError, match=f"bara {women} kvinnor och {men} män lämnade"):
        outcomes.trend_model(table)


# --- the headline on real kommuner ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "label", "women", "men", "gap"),
    [
        # Kolada N00973 × N00964 2022: 33 of 77 women (43 %), 64 of 92 men (70 %)
        ("0680", "2022", (33, 77, 43), (64, 92, 70), -27),
        # Malmö 2022: 44 of 182 women (24 %), 73 of 149 men (49 %)
        ("1280", "2022", (44, 182, 24), (73, 149, 49), -25),
        # Bjurholm: 4 women and 4 men left in 2021, so 2019–2021 are summed
        ("2403", "2019–2021", (5, 10, 50), (7, 12, 58), -8),
    ],
)
def test_headline_for_real_kommuner(kpi_values, code, label, women, men, gap):
    h = outcomes.headline(outcomes.outcome_table(kpi_values, code))
    assert h.label == label and h.counted and h.pooled == ("–" in label)
    for group, (x, n, pct) in ((h.women, women), (h.men, men)):
        assert (group["successes"], group["n"]) == (x, n)
        assert outcomes.shown_percent(group["pct"]) == pct
    assert h.gap_shown == gap
    if code == "2403":
        assert h.few_in_latest == {"K": 4, "M": 4}
        assert pooled_reason(h).startswith("2021 lämnade bara 4 kvinnor och 4 män, så de senaste")
        assert h.gap_low < 0 < h.gap_high  # 22 people cannot tell the genders apart


def test_lulea_2018_gap_agrees_with_the_shares_shown(kpi_values):
    table = outcomes.outcome_table(kpi_values, "2580", years=[2018])
    h = outcomes.headline(table)
    # Kolada: 14 of 49 women (28,57 %) and 78 of 118 men (66,10 %): shown 29 % and 66 %
    assert (outcomes.shown_percent(h.women["pct"]), outcomes.shown_percent(h.men["pct"])) == (
        29,
        66,
    )
    assert h.gap_shown == -37  # what a reader subtracts, not round(−37,53) = −38
    assert (round(h.gap_low, 1), round(h.gap_high, 1)) == (-50.9, -21.1)  # exact persons


# --- a län from its kommuner, riket checked against its kommuner ----------------------------


def _hand_sum(lan: str, kpi: str, base: str, year: int, gender: str) -> tuple[float, float]:
    """Σ share × leavers / 100 and Σ leavers over the län's kommuner, read straight from the
    dump's CSV files (kommuner with both a share and a base)."""
    import csv

    from etablering.core import paths

    folder = paths.raw_dir() / "kolada-values-via-open-numbers"
    with open(folder / "ddf--entities--geo--kommun.csv", encoding="utf-8") as f:
        kommuner = {r["kommun"] for r in csv.DictReader(f) if r["region"] == lan}

    def read(k):
        path = (
            folder
            / "datapoints--by--geo--gender--year"
            / (f"ddf--datapoints--{k.lower()}--by--geo--gender--year.csv")
        )
        with open(path, encoding="utf-8") as f:
            return {
                r["geo"]: float(r[k.lower()])
                for r in csv.DictReader(f)
                if r["year"] == str(year) and r["gender"] == gender.lower()
            }

    shares, bases = read(kpi), read(base)
    both = [k for k in kommuner if k in shares and k in bases]
    return sum(shares[k] * bases[k] / 100 for k in both), sum(bases[k] for k in both)


def test_lan_06_is_the_leaver_weighted_sum_of_its_13_kommuner(kpi_values, registry):
    codes = [a.code for a in registry.kommuner("06")]
    assert len(codes) == 13
    counts = outcomes.kommun_counts(kpi_values)
    table = outcomes.area_outcome_table(kpi_values, counts, "0006", codes).set_index(
        ["year", "gender"]
    )
    for year in (2018, 2022):
        for g in "KM":
            x, n = _hand_sum("06", "N00973", "N00964", year, g)
            row = table.loc[(year, g)]
            assert row["basis"] == "kommuner"
            assert (row["successes"], row["cohort_n"]) == (round(x), n)
            assert row["share_pct"] == pytest.approx(100 * x / n)
    assert (table.loc[(2022, "K"), "successes"], table.loc[(2022, "K"), "cohort_n"]) == (67, 228)
    assert (table.loc[(2022, "M"), "successes"], table.loc[(2022, "M"), "cohort_n"]) == (109, 178)
    # 2016: some kommuners' leavers have no share; the note says how many are left out
    assert words(table.loc[(2016, "K")]).endswith(" som lämnat i kommuner utan andel ingår inte")


def test_riket_2021_by_gender_is_replaced_by_the_kommuner_sum(kpi_values, registry):
    codes = [a.code for a in registry.kommuner()]
    counts = outcomes.kommun_counts(kpi_values)
    t = outcomes.area_outcome_table(kpi_values, counts, "0000", codes).set_index(["year", "gender"])
    # the dump gives women and men 2021 the total's 30,25 % (flagged at import: not whole persons
    # of N00964); the kommuner give 22,9 % and 40,8 %
    assert t.loc[(2021, "K"), "basis"] == "kommuner" and t.loc[(2021, "M"), "basis"] == "kommuner"
    assert round(t.loc[(2021, "K"), "share_pct"], 1) == 22.9
    assert round(t.loc[(2021, "M"), "share_pct"], 1) == 40.8
    assert words(t.loc[(2021, "K")]).startswith("Koladas riksvärde saknas i underlaget (flaggat")
    # every other year Kolada's own riket value can be what its kommuner add up to
    kept = t.drop([(2021, "K"), (2021, "M")])
    assert set(kept.loc[kept["share_pct"].notna(), "basis"]) == {"kolada"}
    assert t.loc[(2018, "T"), "cohort_n"] == 38_366
