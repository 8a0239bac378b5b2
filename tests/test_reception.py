"""Reception figures checked against the real 2018 files and against hand-made edge cases."""

import math

import pandas as pd
import pytest

from etablering import reception
from etablering.errors import MissingDataError
from etablering.store import read_table


@pytest.fixture(scope="module")
def tables(processed):
    names = ["areas", "kommuntal", "kommunmottagna", "population", "lanstal", "area_groups"]
    return {n: read_table(n, processed) for n in names}


@pytest.fixture(scope="module")
def table_2018(tables):
    t = tables
    return reception.kommun_table(
        2018, t["areas"], t["kommuntal"], t["kommunmottagna"], t["population"]
    )


def test_national_totals_equal_the_raw_files(table_2018, raw_dir):
    riket = reception.totals(table_2018, "Riket")
    # SOURCES.md: kommuntal 15 200, received 14 588; kommunmottagna 44 216 (6 635 ensamkommande)
    assert (riket.kommuntal, riket.mottagna_anvisade) == (15_200, 14_588)
    assert (riket.mottagna_totalt, riket.ensam_totalt) == (44_216, 6_635)
    assert riket.by_category == {
        "kvot": 5_028,
        "abo": 11_068,
        "ebo": 7_859,
        "ovriga": 3_699,
        "anhoriga": 16_562,
    }
    assert riket.n_not_listed == 23
    listed = table_2018[table_2018["kommuntal"].notna()]
    assert riket.totalt_per_kommuntal == pytest.approx(listed["mottagna_totalt"].sum() / 15_200)
    assert riket.totalt_per_kommuntal < 44_216 / 15_200  # the 23 unlisted kommuner are left out
    # the same sums straight from the raw kommuntal file's kommun rows
    raw = pd.read_csv(
        raw_dir / "migrationsverket-2018-via-infovislabb/Anvisningar_enligt_kommuntalen_2018.csv",
        dtype=str,
        encoding="utf-8-sig",
    )
    kommun_rows = raw[raw["Kommun"].notna()]
    assert riket.kommuntal == kommun_rows["Tal"].astype(int).sum()


def test_jonkoping_2018(table_2018):
    r = table_2018.set_index("kommun_code").loc["0680"]
    assert (r["kommuntal"], r["mottagna_anvisade"]) == (199, 199)
    assert r["uppfyllelse_pct"] == pytest.approx(100.0)
    assert [r[c] for c in ("kvot", "abo", "ebo", "ovriga", "anhoriga")] == [51, 158, 100, 51, 134]
    assert (r["mottagna_totalt"], r["ensam_totalt"]) == (494, 105)
    assert r["totalt_per_kommuntal"] == pytest.approx(494 / 199)
    # No 2018 population in the snapshot: 2020 is the nearest year and is marked as a proxy.
    assert (r["population_year"], bool(r["population_proxy"])) == (2020, True)
    assert r["per_1000"] == pytest.approx(494 / 142_427 * 1000)


def test_ranks_are_computed_over_all_kommuner_and_within_lan(table_2018):
    t = table_2018.set_index("kommun_code")
    per_1000 = t["per_1000"]
    assert t.loc["0680", "rank_riket"] == 1 + (per_1000 > per_1000["0680"]).sum()
    lan = t[t["lan_code"] == "06"]["per_1000"]
    assert t.loc["0680", "rank_lan"] == 1 + (lan > per_1000["0680"]).sum()
    assert t.loc["0680", "n_rank_lan"] == 13
    top = per_1000.idxmax()
    assert t.loc[top, "rank_riket"] == 1


def test_kommun_missing_from_kommuntal_file_is_not_zero(table_2018):
    r = table_2018.set_index("kommun_code").loc["0181"]  # Södertälje is not listed
    assert pd.isna(r["kommuntal"]) and pd.isna(r["uppfyllelse_pct"])
    assert r["kommuntal_status"] == reception.NOT_LISTED
    assert r["mottagna_totalt"] == 354  # but its kommunmottagna are known


def test_lan_totals_jonkoping(table_2018):
    lan = reception.totals(table_2018[table_2018["lan_code"] == "06"], "Jönköpings län")
    assert (lan.kommuntal, lan.mottagna_anvisade, lan.mottagna_totalt) == (428, 415, 1_807)
    assert lan.per_1000 == pytest.approx(1_807 / lan.population * 1000)


def test_peer_group_is_kolada_latest_and_mean_is_unweighted(tables, table_2018):
    title, members = reception.peer_group(tables["area_groups"], "Jönköping", "socioekonomi")
    assert title == "Liknande kommuner socioekonomi, Jönköping, 2024"
    assert "0680" not in members and len(members) == 7
    mean, n = reception.peer_mean(table_2018, members, "per_1000")
    values = table_2018.set_index("kommun_code").loc[members, "per_1000"]
    assert n == 7 and mean == pytest.approx(values.mean())


def test_unknown_peer_group_is_missing_data(tables):
    with pytest.raises(MissingDataError, match="Liknande kommuner socioekonomi, Atlantis"):
        reception.peer_group(tables["area_groups"], "Atlantis")


def test_year_without_data_says_what_is_missing_and_how_to_get_it(tables):
    t = tables
    with pytest.raises(MissingDataError) as exc:
        reception.kommun_table(
            2016, t["areas"], t["kommuntal"], t["kommunmottagna"], t["population"]
        )
    text = str(exc.value)
    assert "2016" in text and "importerade år: 2018" in text
    assert "etablering data import" in text and "etablering data fetch" in text


def test_lanstal_context_for_jonkopings_lan(tables):
    ctx = reception.lanstal_context(tables["lanstal"], tables["kommuntal"], "06", "0680")
    row_2018 = ctx[ctx["year"] == 2018].iloc[0]
    assert (row_2018["lanstal"], row_2018["kommuntal"]) == (428, 199)
    assert row_2018["andel_av_lanstal_pct"] == pytest.approx(100 * 199 / 428)
    assert set(ctx["year"]) == {2017, 2018, 2019, 2020, 2022, 2026}
    assert ctx.loc[ctx["year"] == 2026, "lanstal"].item() == 358


# --- hand-made edge cases ----------------------------------------------------------------


def _areas():
    return pd.DataFrame(
        {
            "code": ["0000", "0001", "0114", "0115", "0117"],
            "name": ["Riket", "Stockholms län", "A", "B", "C"],
            "kind": ["riket", "lan", "kommun", "kommun", "kommun"],
            "lan_code": ["00", "01", "01", "01", "01"],
        }
    )


def _mottagna(counts: dict[str, int]):
    rows = []
    for code, n in counts.items():
        for cat in ("kvot", "abo", "ebo", "ovriga", "anhoriga"):
            rows.append((2018, code, cat, n if cat == "ebo" else 0, 0, "test"))
    return pd.DataFrame(
        rows, columns=["year", "kommun_code", "category", "persons", "ensamkommande", "source"]
    )


def test_zero_kommuntal_and_zero_population_never_divide_by_zero():
    kt = pd.DataFrame(
        {
            "year": [2018],
            "kommun_code": ["0114"],
            "kommuntal": [0],
            "mottagna_anvisade": [0],
            "source": ["t"],
        }
    )
    pop = pd.DataFrame(
        {
            "area_code": ["0114", "0115"],
            "year": [2018, 2018],
            "population": [0, 1000],
            "source": ["t", "t"],
        }
    )
    t = reception.kommun_table(
        2018, _areas(), kt, _mottagna({"0114": 5, "0115": 3}), pop
    ).set_index("kommun_code")
    assert pd.isna(t.loc["0114", "uppfyllelse_pct"]) and pd.isna(
        t.loc["0114", "totalt_per_kommuntal"]
    )
    assert pd.isna(t.loc["0114", "per_1000"])
    assert t.loc["0115", "per_1000"] == pytest.approx(3.0)
    assert pd.isna(t.loc["0117", "mottagna_totalt"])  # absent from the file: unknown, not 0
    assert t.loc["0115", "rank_riket"] == 1 and t.loc["0115", "n_rank_riket"] == 1
    riket = reception.totals(t.reset_index(), "Riket")
    assert math.isnan(riket.uppfyllelse_pct) and riket.n_missing_received == 1


def test_population_nearest_year_prefers_earlier_on_tie_and_marks_proxy():
    pop = pd.DataFrame(
        {
            "area_code": ["0114"] * 3,
            "year": [2017, 2019, 2021],
            "population": [100, 200, 300],
            "source": ["SCB"] * 3,
        }
    )
    got = reception.population_for_year(pop, 2018).iloc[0]
    assert (got["population"], got["population_year"], bool(got["population_proxy"])) == (
        100,
        2017,
        True,
    )
    exact = reception.population_for_year(pop, 2019).iloc[0]
    assert (exact["population"], bool(exact["population_proxy"])) == (200, False)


def test_kommuntal_zero_is_explained_not_divided(processed, registry):
    from etablering import reception_report
    from etablering.params import validate_params

    rep = reception_report.build(
        validate_params(registry, kommun="2085", year=2018),
        reception_report.load_tables(processed),
        registry,
    )
    text = reception_report.summary_text(rep)
    assert "Kommuntalet var 0 – kommunen skulle inte ta emot några anvisade" in text
    assert "uppgift saknas av kommuntalet" not in text
    table = reception_report.comparison_table(rep)
    assert table.loc["Uppfyllelse av kommuntalet", "Ludvika"] == "ej tillämpligt (kommuntal 0)"


def test_kolada_series_uses_fetched_rows_only(processed, kolada_rows):
    from etablering import reception_report
    from etablering.registry import Area

    kv = read_table("kpi_values", processed)
    assert reception_report.kolada_series(kv, "0680").empty  # offline: nothing fetched
    assert "etablering data fetch --group mottagande" in reception_report.series_missing_text(
        Area("0680", "Jönköping", "kommun", "06")
    )
    rows = kolada_rows(
        ("N01986", "0680", 2017, 800.0),
        ("N01986", "0680", 2018, 494.0),
        ("N01987", "0680", 2018, 199.0),
    )
    series = reception_report.kolada_series(pd.concat([kv, rows]), "0680")
    assert (
        series.loc[2018, "Kommunmottagna totalt"] == 494
        and series.loc[2018, "Kommunmottagna efter anvisning"] == 199
    )
    assert pd.isna(series.loc[2017, "Kommunmottagna efter anvisning"])


def test_lan_rows_sum_their_kommuner_and_add_up_to_riket(table_2018, registry):
    lans = reception.lan_table(table_2018, {a.lan_code: a.name for a in registry.lan()})
    assert len(lans) == 21 and lans["n_rank_riket"].iloc[0] == 21
    j = lans.set_index("kommun_code").loc["0006"]
    assert (j["kommuntal"], j["mottagna_anvisade"], j["mottagna_totalt"], j["ensam_totalt"]) == (
        428,
        415,
        1_807,
        309,
    )
    assert j["uppfyllelse_pct"] == pytest.approx(100 * 415 / 428)
    assert (lans["kommuntal"].sum(), lans["mottagna_totalt"].sum()) == (15_200, 44_216)
    top = lans.loc[lans["per_1000"].idxmax()]
    assert top["rank_riket"] == 1 and top["name"] == "Kronobergs län"


def test_lan_report_shows_the_lan_and_its_kommuner(processed, registry):
    from etablering import reception_report
    from etablering.params import validate_params

    rep = reception_report.build(
        validate_params(registry, kommun="Jönköpings län", year=2018),
        reception_report.load_tables(processed),
        registry,
    )
    assert rep.is_lan and rep.peer_title is None and not rep.notes
    text = reception_report.summary_text(rep)
    assert "**Jönköpings län tog emot 1\u00a0807 personer 2018**" in text
    assert "länets 13 kommuner" in text and "Kommuntalen i länet var sammanlagt 428" in text
    assert "plats 4 av 21 län" in text and "motsvarar 4,2 gånger kommuntalen" in text
    assert "Flest per invånare i länet tog Sävsjö emot (12,6), färst Vaggeryd (2,8)." in text
    assert list(reception_report.comparison_table(rep).columns) == ["Jönköpings län", "Riket"]
    kommuner = reception_report.kommuner_table(rep)
    assert len(kommuner) == 13 and kommuner.index[0] == "Sävsjö"
    assert kommuner.loc["Jönköping", "Kommunmottagna totalt"] == "494"
    assert "Andel i Jönköpings län" not in reception_report.category_table(rep).columns
    assert "Kommunens andel av länstalet" not in reception_report.lanstal_table(rep).columns
    values, kinds = reception_report.per_1000_comparison(rep)
    assert list(kinds.value_counts().sort_index()) == [13, 1, 1]  # kommun, lan, riket
    assert reception_report.key_figures(rep)["kommuntal"] == 428
