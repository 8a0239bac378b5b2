"""Reception figures checked against the raw files a user would open (the Kolada dump's CSV,
Migrationsverket's 2018 files) and against hand-made edge cases."""

import math

import pandas as pd
import pytest

from etablering.analysis import reception
from etablering.core import fmt
from etablering.core.errors import MissingDataError, ParameterError
from etablering.data import kpis, panel
from etablering.present import plots
from etablering.reports import reception as reception_report
from etablering.reports.base import ReportData
from etablering.reports.notebook_params import validate_params

DUMP = "kolada-values-via-open-numbers/datapoints--by--geo--year"
JONKOPINGS_LAN = [
    "0604",
    "0617",
    "0642",
    "0643",
    "0662",
    "0665",
    "0680",
    "0682",
    "0683",
    "0684",
    "0685",
    "0686",
    "0687",
]


def dump(raw_dir, kpi: str) -> pd.DataFrame:
    """A Kolada dump file as published: geo (riket '0', län '06', kommun '0680'), year, value."""
    frame = pd.read_csv(
        raw_dir / DUMP / f"ddf--datapoints--{kpi.lower()}--by--geo--year.csv",
        dtype={"geo": str},
    )
    return frame.rename(columns={kpi.lower(): "value"})


def dump_series(raw_dir, kpi: str, geo: str) -> pd.Series:
    frame = dump(raw_dir, kpi)
    return frame[frame["geo"] == geo].set_index("year")["value"]


@pytest.fixture(scope="module")
def tables(processed, registry):
    return ReportData(processed, registry)


@pytest.fixture(scope="module")
def kpanel(tables):
    return reception.kolada_panel(tables["kpi_values"], tables["areas"], tables["population"])


@pytest.fixture(scope="module")
def table_2018(tables):
    t = tables
    return reception.kommun_table(
        2018, t["areas"], t["kommuntal"], t["kommunmottagna"], t["population"]
    )


def _report(registry, tables, kommun, year=None, **params):
    return reception_report.build(
        validate_params(registry, kommun=kommun, year=year, **params), tables
    )


@pytest.fixture(scope="module")
def jonkoping(registry, tables):
    return _report(registry, tables, "0680")


@pytest.fixture(scope="module")
def jonkoping_2018(registry, tables):
    return _report(registry, tables, "0680", 2018)


@pytest.fixture(scope="module")
def lan_06(registry, tables):
    return _report(registry, tables, "06")


# --- Kolada's series against the dump's own files ---------------------------------------------


def test_jonkoping_reception_by_year_equals_the_dump(jonkoping, raw_dir):
    expected = dump_series(raw_dir, kpis.RECEIVED, "0680")
    assert list(expected.index) == list(range(2005, 2023))
    got = jonkoping.series["received"].dropna()
    pd.testing.assert_series_equal(got, expected, check_names=False, check_index_type=False)
    assert got[2018] == 493 and got[2022] == 241 and got[2016] == 803
    for kpi, column in (
        (kpis.RECEIVED_ANVISNING, "anvisning"),
        (kpis.UNACCOMPANIED_ANVISADE, "unaccompanied"),
    ):
        want = dump_series(raw_dir, kpi, "0680")
        assert jonkoping.series[column].dropna().to_dict() == want.to_dict()
    table = reception_report.series_table(jonkoping)
    assert table.loc["2022", "Kommunmottagna (N01986)"] == "241"
    assert table.loc["2022", "Förändring mot året innan"] == "+78 (+48\u00a0%)"
    assert table.loc["2005", "varav kvinnor"] == "–"  # Kolada splits by gender from 2016
    assert table.loc["2016", "varav kvinnor"] == "295"


def test_own_per_1000_uses_the_same_years_population_and_kolada_the_year_before(jonkoping, raw_dir):
    population = dump_series(raw_dir, kpis.POPULATION, "0680")
    r = jonkoping.series.loc[2018]
    assert population[2018] == 139_222
    assert (r["population"], bool(r["population_proxy"])) == (139_222, False)
    assert r["per_1000"] == pytest.approx(493 / 139_222 * 1000)
    # N02006 is exactly N01986(t) / N01951(t-1) x 1 000
    assert r["per_1000_kolada"] == pytest.approx(
        dump_series(raw_dir, kpis.RECEIVED_PER_1000, "0680")[2018]
    )
    assert r["per_1000_kolada"] == pytest.approx(493 / population[2017] * 1000)
    # 2020-2022 come from SCB's own file, which equals N01951
    assert jonkoping.series.loc[2022, "population"] == population[2022] == 145_114
    text = reception_report.per_1000_text(jonkoping)
    assert "folkmängden 31 december året innan" in text and "samma år" in text
    assert "folkmängden växte under 2022, så Koladas tal blir något högre" in text
    assert "1,68 enligt Koladas metod mot 1,66 i egen beräkning" in text


def test_kolada_per_1000_is_the_count_over_the_population_of_the_year_before(kpanel):
    rows = kpanel.dropna(subset=["per_1000_kolada", "received", "population_prev"])
    computed = rows["received"] / rows["population_prev"].astype(float) * 1000
    assert len(rows) > 5000
    assert (computed - rows["per_1000_kolada"]).abs().max() < 1e-6


def test_lan_series_is_the_sum_of_its_13_kommuner(lan_06, raw_dir, registry):
    assert sorted(k.code for k in registry.kommuner("06")) == JONKOPINGS_LAN
    frame = dump(raw_dir, kpis.RECEIVED)
    sums = frame[frame["geo"].isin(JONKOPINGS_LAN)].groupby("year")["value"].sum()
    assert (frame["geo"] == "06").sum() == 0  # Kolada has no län rows for N01986
    assert lan_06.series["received"].to_dict() == sums.to_dict()
    assert (
        lan_06.series.loc[2022, "received"] == 489 and lan_06.series.loc[2018, "received"] == 1_799
    )
    assert (lan_06.series["n_received"] == 13).all()
    text = reception_report.summary_text(lan_06)
    assert "**Jönköpings län tog emot 489 personer 2022**, 40 fler än 2021 (+9\u00a0%)" in text
    assert "summan av kommunmottagna i länets kommuner" in text
    assert "plats 5 av 21 län" in text and "riket 1,1" in text
    assert "Flest per invånare i länet tog Habo emot (2,0), färst Eksjö (0,2)." in text


def test_riket_is_koladas_riket_row_which_equals_the_sum_of_kommuner(jonkoping, raw_dir, kpanel):
    official = dump_series(raw_dir, kpis.RECEIVED, "0")
    assert list(official.index) == list(range(2015, 2023))
    riket = jonkoping.riket
    assert riket.loc[2018, "received"] == 43_745 and riket.loc[2022, "received"] == 11_721
    sums = kpanel.groupby("year")["received"].sum()
    assert (sums[official.index] == official).all()  # the kommuner add up to Kolada's riket
    assert riket.loc[2010, "received"] == sums[2010] and not riket.loc[2010, "from_kolada"]
    assert riket.loc[2018, "per_1000"] == pytest.approx(43_745 / 10_230_185 * 1000)


def test_lan_with_a_kommun_missing_says_the_sum_is_incomplete(registry, tables):
    rep = _report(registry, tables, "17", 2022)  # Storfors has no N01986 for 2022
    r = rep.row
    assert (r["n_received"], r["n_kommuner"], r["missing_received"]) == (15, 16, ["1760"])
    assert "Summan omfattar 15 av länets 16 kommuner; uppgift saknas för Storfors." in (
        reception_report.summary_text(rep)
    )
    assert reception_report.series_table(rep).loc["2022", "Kommuner med uppgift"] == "15 av 16"


# --- years: default, range, a year without data -------------------------------------------------


def test_default_year_is_the_latest_with_data_for_the_area(registry, tables, jonkoping, lan_06):
    assert (jonkoping.year, lan_06.year) == (2022, 2022)
    storfors = _report(registry, tables, "1760")
    assert storfors.year == 2021 and max(storfors.years) == 2021
    assert storfors.title == "Mottagande av nyanlända – Storfors 2021"
    assert "det är det senaste året i underlaget" in reception_report.years_text(storfors)


def test_year_without_data_is_a_parameter_error_naming_the_years(registry, tables):
    with pytest.raises(ParameterError) as exc:
        _report(registry, tables, "0680", 1990)
    assert str(exc.value) == (
        "Det finns inga uppgifter om mottagande för Jönköping 1990. Uppgifter finns för "
        "2005–2022. Välj ett av dessa år, eller ange inget år så visas det senaste (2022)."
    )
    with pytest.raises(ParameterError, match="Storfors 2022.*2005–2021"):
        _report(registry, tables, "1760", 2022)


def test_year_ranges():
    assert (
        reception.year_ranges([2007, 2005, 2006, 2010, 2012, 2013]) == "2005–2007, 2010, 2012–2013"
    )
    assert reception.year_ranges([]) == ""


# --- wording ------------------------------------------------------------------------------------


def test_summary_says_the_year_on_year_change_and_the_comparisons(jonkoping):
    text = reception_report.summary_text(jonkoping)
    assert "**Jönköping tog emot 241 personer 2022**, 78 fler än 2021 (+48\u00a0%)" in text
    assert "Av dem var 100 kvinnor och 141 män." in text
    assert (
        "92 togs emot efter anvisning (N01987) och kommunen anvisades 15 ensamkommande barn" in text
    )
    assert "Flest under åren 2005–2022 togs emot 2016 (803 personer)." in text
    assert "1,7 mottagna per 1\u00a0000 invånare (folkmängden 31 december 2022)" in text
    assert "plats 67 av 288 kommuner med uppgift och 2 av 13 i Jönköpings län" in text
    assert "Jönköpings län 1,3; riket 1,1; liknande kommuner (7 st, ovägt medel) 1,0." in text


@pytest.mark.parametrize(
    ("now", "before", "expected"),
    [
        (241, 163, "78 fler än 2021 (+48\u00a0%)"),
        (163, 243, "80 färre än 2021 (\u221233\u00a0%)"),
        (5, 5, "lika många som 2021"),
        (4, 0, "4 fler än 2021, då ingen togs emot"),
        (4, float("nan"), "uppgift för 2021 saknas"),
    ],
)
def test_change_phrase(now, before, expected):
    assert reception_report.change_phrase(now, before, 2021) == expected


def test_past_year_and_ranks(jonkoping_2018, kpanel):
    rep = jonkoping_2018
    text = reception_report.summary_text(rep)
    assert "**Jönköping tog emot 493 personer 2018**, 204 färre än 2017 (\u221229\u00a0%)" in text
    year = kpanel[kpanel["year"] == 2018].set_index("kommun_code")["per_1000"]
    rank = 1 + int((year > year["0680"]).sum())
    lan_rank = 1 + int((year[year.index.str.startswith("06")] > year["0680"]).sum())
    assert f"plats {rank} av 290 kommuner med uppgift och {lan_rank} av 13" in text
    assert (rank, lan_rank) == (245, 12)


def test_comparison_with_lan_riket_and_peers(jonkoping):
    table = reception_report.comparison_table(jonkoping)
    assert list(table.columns) == [
        "Jönköping",
        "Jönköpings län",
        "Riket",
        "Liknande kommuner (medel)",
    ]
    assert table.loc["Kommunmottagna", "Riket"] == "11\u00a0721"
    assert table.loc["Per 1 000 invånare, egen beräkning", "Jönköping"] == "1,7"
    assert table.loc["Kommunmottagna", "Liknande kommuner (medel)"] == "–"
    mean, n = jonkoping.peer_means["per_1000"]
    members = jonkoping.table.set_index("kommun_code").loc[jonkoping.peer_members, "per_1000"]
    assert n == 7 and mean == pytest.approx(members.mean())
    assert table.loc["Plats efter per 1 000 (egen beräkning)", "Jönköping"] == (
        "67 av 288 i riket, 2 av 13 i länet"
    )
    values, kinds = reception_report.per_1000_comparison(jonkoping)
    assert list(kinds.value_counts().sort_index()) == [1, 1, 8, 1]  # kommun, lan, peer, riket


def test_every_lan_per_1000_for_the_year(lan_06):
    lans = lan_06.lans
    assert len(lans) == 21 and lans["received"].sum() == 11_721
    j = lans.set_index("area_code").loc["0006"]
    assert (j["received"], j["rank"], j["n_rank"]) == (489, 5, 21)
    assert j["per_1000"] == pytest.approx(489 / 369_113 * 1000)
    values, kinds = reception_report.lan_bars(lan_06)
    assert kinds["Jönköpings län"] == "kommun" and kinds["Riket"] == "riket" and len(values) == 22
    assert "plats 5 av 21 län" in reception_report.lan_bars_text(lan_06)


def test_lan_report_lists_its_kommuner_for_the_chosen_year(lan_06):
    kommuner = reception_report.kommuner_table(lan_06)
    assert len(kommuner) == 13 and kommuner.index[0] == "Habo"
    assert kommuner.loc["Jönköping", "Kommunmottagna (N01986)"] == "241"
    assert kommuner.loc["Jönköping", "Förändring mot året innan"] == "+78"
    assert list(reception_report.comparison_table(lan_06).columns) == ["Jönköpings län", "Riket"]
    values, kinds = reception_report.per_1000_comparison(lan_06)
    assert list(kinds.value_counts().sort_index()) == [13, 1, 1]  # kommun, lan, riket


# --- Migrationsverket's 2018 files and the two sources -------------------------------------------


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
    raw = pd.read_csv(
        raw_dir / "migrationsverket-2018-via-infovislabb/Anvisningar_enligt_kommuntalen_2018.csv",
        dtype=str,
        encoding="utf-8-sig",
    )
    assert riket.kommuntal == raw[raw["Kommun"].notna()]["Tal"].astype(int).sum()


def test_jonkoping_2018_file_uses_the_2018_population(table_2018):
    r = table_2018.set_index("kommun_code").loc["0680"]
    assert (r["kommuntal"], r["mottagna_anvisade"]) == (199, 199)
    assert [r[c] for c in ("kvot", "abo", "ebo", "ovriga", "anhoriga")] == [51, 158, 100, 51, 134]
    assert (r["mottagna_totalt"], r["ensam_totalt"]) == (494, 105)
    # no proxy any more: Kolada's N01951 has 2018
    assert (r["population"], r["population_year"], bool(r["population_proxy"])) == (
        139_222,
        2018,
        False,
    )
    assert r["per_1000"] == pytest.approx(494 / 139_222 * 1000)


def test_both_sources_for_2018_side_by_side(jonkoping):
    assert jonkoping.files.year == 2018
    table = reception_report.two_sources_table(jonkoping)
    assert table.loc["Kommunmottagna – Migrationsverkets fil 2018", "Jönköping"] == "494"
    assert table.loc["Kommunmottagna – Kolada N01986", "Jönköping"] == "493"
    assert table.loc["Kommunmottagna – Migrationsverkets fil 2018", "Riket"] == "44\u00a0216"
    assert table.loc["Kommunmottagna – Kolada N01986", "Riket"] == "43\u00a0745"
    assert (
        table.loc["Mottagna på anvisning – kommuntalsfilen 2018 (”Mottagna”)", "Riket"]
        == "14\u00a0588"
    )
    assert table.loc["Mottagna efter anvisning – Kolada N01987", "Riket"] == "13\u00a0622"
    assert (
        table.loc["Kommunmottagna – Migrationsverkets fil 2018", "Jönköpings län"] == "1\u00a0807"
    )
    text = reception_report.two_sources_text(jonkoping)
    assert "Migrationsverkets fil ger Jönköping 494 och Kolada (N01986) 493" in text
    assert (
        "44\u00a0216 i filen mot 43\u00a0745 i Kolada, och 160 av 290 kommuner har samma tal"
        in text
    )
    assert "Jämför dem inte rakt av." in text
    source = reception_report.two_sources_source(jonkoping)
    assert "Migrationsverket" in source and "Kolada (RKA), uttag augusti 2024" in source


def test_kommuntal_file_missing_for_the_year_is_said_plainly(jonkoping, jonkoping_2018):
    notice = reception_report.files_notice(jonkoping)
    assert notice.startswith("Kommuntalet för 2022 saknas i underlaget")
    assert "nedan visas 2018" in notice and "`etablering data import MAPP`" in notice
    assert "Anvisningar enligt kommuntalen" in reception_report.files_notice_details(jonkoping)
    assert reception_report.files_notice(jonkoping_2018) is None
    assert reception_report.files_heading(jonkoping).startswith("### 2018:")
    assert reception_report.category_heading(jonkoping) == (
        "### Vilka kom 2018? Kategorier enligt Migrationsverkets fil"
    )
    assert (
        reception_report.category_table(jonkoping).loc["ABO (från anläggningsboende)", "Personer"]
        == "158"
    )


def test_key_figures_keep_one_source_per_pair(jonkoping, jonkoping_2018):
    assert reception_report.key_figures(jonkoping) == {
        "year": 2022,
        "kommuntal": None,
        "mottagna_anvisade": 92.0,
        "mottagna_totalt": 241.0,
        "per_1000": pytest.approx(241 / 145_114 * 1000),
    }
    k = reception_report.key_figures(jonkoping_2018)
    assert (k["kommuntal"], k["mottagna_anvisade"], k["mottagna_totalt"]) == (199, 199, 493)


def test_kommun_missing_from_kommuntal_file_is_not_zero(table_2018, registry, tables):
    r = table_2018.set_index("kommun_code").loc["0181"]  # Södertälje is not listed
    assert pd.isna(r["kommuntal"]) and pd.isna(r["uppfyllelse_pct"])
    assert r["kommuntal_status"] == reception.NOT_LISTED
    assert r["mottagna_totalt"] == 354  # but its kommunmottagna are known
    rep = _report(registry, tables, "0181", 2018)
    assert "finns inte med i Migrationsverkets kommuntalsfil för 2018" in (
        reception_report.files_summary_text(rep)
    )
    table = reception_report.two_sources_table(rep)
    assert table.loc["Mottagna på anvisning – kommuntalsfilen 2018 (”Mottagna”)", "Södertälje"] == (
        "uppgift saknas (ej listad i kommuntalsfilen)"
    )
    assert "Mottagna på anvisning" not in reception_report.two_sources_text(rep)


def test_a_kommun_left_out_of_the_kommuntal_file_probably_had_zero(registry, tables):
    """SOURCES.md: the 23 kommuner the 2018 file leaves out probably had kommuntal 0 (23 others
    are listed with 0, and Kolada has no N01987 for them): shown missing, said to be probably 0
    – unless Kolada counts people received on anvisning there."""
    rep = _report(registry, tables, "0181", 2018)
    assert (
        "Kommuntalet redovisas därför som uppgift saknas, inte som 0. Troligen var det 0: filen "
        "listar 23 andra kommuner med kommuntal 0, och Kolada har inga mottagna efter anvisning "
        "(N01987) för Södertälje 2018."
    ) in reception_report.files_summary_text(rep)
    assert "Troligen var deras kommuntal 0: filen listar 23 andra kommuner med 0" in (
        reception_report.data_notes(rep)
    )
    assert "(troligen var deras kommuntal 0)" in reception_report.files_summary_text(
        _report(registry, tables, "01", 2018)
    )  # Stockholms län: Södertälje
    kv = tables["kpi_values"]
    row = kv[(kv["kpi"] == kpis.RECEIVED_ANVISNING) & (kv["year"] == 2018)].iloc[[0]]
    counted = tables.with_tables(
        kpi_values=pd.concat([kv, row.assign(area_code="0181", value=12.0)], ignore_index=True)
    )
    rep = _report(registry, counted, "0181", 2018)
    assert "finns inte med i Migrationsverkets kommuntalsfil" in (
        reception_report.files_summary_text(rep)
    )
    assert "Troligen" not in reception_report.files_summary_text(rep)
    assert "Troligen" not in reception_report.data_notes(rep)


def test_one_person_is_singular(registry, tables):
    """'1 kvinna', '1 person': Arvidsjaur's 2022 read 'Av dem var 1 kvinnor och 2 män' and
    Lysekil's 2018 'Kommuntalet var 1; 1 personer togs emot på anvisning'."""
    assert "Av dem var 1 kvinna och 2 män." in reception_report.summary_text(
        _report(registry, tables, "2505")
    )
    lysekil = reception_report.files_summary_text(_report(registry, tables, "1484", 2018))
    assert "Kommuntalet var 1; 1 person togs emot på anvisning" in lysekil
    # Eksjö 2022: "0 togs emot efter anvisning" began a sentence with a digit 0
    assert ". Ingen togs emot efter anvisning (N01987) och kommunen anvisades inga" in (
        reception_report.summary_text(_report(registry, tables, "0686"))
    )
    jonkoping = reception_report.summary_text(_report(registry, tables, "0680"))
    assert "Av dem var 100 kvinnor och 141 män." in jonkoping
    assert "Jönköping tog emot 241 personer 2022" in jonkoping


def test_kommuntal_zero_is_explained_not_divided(registry, tables):
    rep = _report(registry, tables, "2085", 2018)
    text = reception_report.files_summary_text(rep)
    assert "Kommuntalet var 0 – kommunen skulle inte ta emot några anvisade" in text
    table = reception_report.files_table(rep)
    assert table.loc["Uppfyllelse av kommuntalet", "Ludvika"] == "ej tillämpligt (kommuntal 0)"


def test_lan_totals_from_the_2018_files(table_2018, registry):
    lan = reception.totals(table_2018[table_2018["lan_code"] == "06"], "Jönköpings län")
    assert (lan.kommuntal, lan.mottagna_anvisade, lan.mottagna_totalt) == (428, 415, 1_807)
    lans = reception.lan_table(table_2018, {a.lan_code: a.name for a in registry.lan()})
    assert len(lans) == 21 and (lans["kommuntal"].sum(), lans["mottagna_totalt"].sum()) == (
        15_200,
        44_216,
    )


def test_lanstal_over_time_with_the_lans_anvisning_from_kolada(jonkoping, lan_06):
    t = jonkoping.lanstal
    row_2018 = t[t["year"] == 2018].iloc[0]
    assert (row_2018["lanstal"], row_2018["kommuntal"]) == (428, 199)
    assert row_2018["andel_av_lanstal_pct"] == pytest.approx(100 * 199 / 428)
    assert set(t["year"]) == {2017, 2018, 2019, 2020, 2022, 2026}
    assert t.loc[t["year"] == 2022, "anvisning_lan"].item() == 196  # N01987 summed over the län
    assert pd.isna(t.loc[t["year"] == 2026, "anvisning_lan"].item())
    table = reception_report.lanstal_table(jonkoping)
    assert table.loc["2026", "Mottagna efter anvisning i länet (N01987)"] == fmt.MISSING
    assert "Kommunens andel av länstalet" not in reception_report.lanstal_table(lan_06).columns


def test_peer_group_is_kolada_latest(tables):
    title, members = reception.peer_group(tables["area_groups"], "Jönköping", "socioekonomi")
    assert title == "Liknande kommuner socioekonomi, Jönköping, 2024"
    assert "0680" not in members and len(members) == 7
    with pytest.raises(MissingDataError, match="Liknande kommuner socioekonomi, Atlantis"):
        reception.peer_group(tables["area_groups"], "Atlantis")


def test_sources_name_kolada_scb_and_migrationsverket(jonkoping, lan_06):
    assert reception_report.kolada_source(jonkoping) == (
        "Källa: Kolada (RKA), uttag augusti 2024: N01986, N01987, N02002 (Migrationsverkets statistik)."
    )
    assert reception_report.kolada_source(lan_06).endswith(
        "Jönköpings län: summan av länets kommuner."
    )
    assert reception_report.population_source(jonkoping) == (
        "folkmängd 31 december: Kolada (RKA), uttag augusti 2024 (N01951) 2004–2019; SCB 2020–2022"
    )
    notes = reception_report.data_notes(jonkoping)
    assert "Kolada har ingen uppgift om kommunmottagna 2022 för: Storfors, Åsele." in notes


def test_small_kommun(registry, tables):
    rep = _report(registry, tables, "2403")
    text = reception_report.summary_text(rep)
    assert "**Bjurholm tog emot 9 personer 2022**, 10 färre än 2021 (\u221253\u00a0%)" in text
    assert "kommunen anvisades inga ensamkommande barn" in text
    assert "folkmängden minskade under 2022, så Koladas tal blir något lägre" in (
        reception_report.per_1000_text(rep)
    )


def test_gotland_the_only_kommun_of_its_lan(registry, tables):
    """Region Gotland is both kommun and län: no place '1 av 1' in the län and no län figure
    beside its own; the two per-1 000 figures, 1,75 both at two decimals, are told apart."""
    rep = _report(registry, tables, "0980")
    text = reception_report.summary_text(rep)
    assert "plats 48 av 288 kommuner med uppgift (plats 1 = flest per invånare)" in text
    assert "Samma år: riket 1,1; liknande kommuner (7 st, ovägt medel) 1,6." in text
    assert "1 av 1" not in text and "Gotlands län 1,7" not in text
    place = reception_report.comparison_table(rep).loc["Plats efter per 1 000 (egen beräkning)"]
    assert place["Gotland"] == "48 av 288 i riket"
    per_1000 = reception_report.per_1000_text(rep)
    assert "växte under 2022, så Koladas tal blir något högre" in per_1000
    assert "(2022: 1,754 enligt Koladas metod mot 1,749 i egen beräkning)" in per_1000
    # the län of Gotland alone: no column "Kommuner med uppgift" reading "1 av 1" every year
    gotlands_lan = _report(registry, tables, "09")
    assert "Kommuner med uppgift" not in reception_report.series_table(gotlands_lan).columns
    # and is its one kommun, not "summan av länets kommuner" (which a larger län is)
    lan_text = reception_report.summary_text(gotlands_lan)
    assert "– kommunmottagna i länets enda kommun enligt Kolada" in lan_text
    assert "och länets enda kommun anvisades 7 ensamkommande barn" in lan_text
    assert "Gotlands län: länets enda kommun." in reception_report.kolada_source(gotlands_lan)
    assert "länets tal är dess enda kommuns." in reception_report.data_notes(gotlands_lan)
    assert "länets kommuner" not in reception_report.summary_text(gotlands_lan)
    jonkopings_lan = _report(registry, tables, "06")
    assert "summan av kommunmottagna i länets kommuner" in reception_report.summary_text(
        jonkopings_lan
    )
    table_06 = reception_report.series_table(_report(registry, tables, "06"))
    assert table_06.loc["2022", "Kommuner med uppgift"] == "13 av 13"
    # a kommun of a larger län keeps its place in the län
    assert "och 2 av 13 i Jönköpings län (plats 1" in reception_report.summary_text(
        _report(registry, tables, "0680")
    )


def test_without_koladas_series_the_2018_files_still_report(registry, tables):
    reception_kpis = [kpis.RECEIVED, kpis.RECEIVED_ANVISNING, kpis.UNACCOMPANIED_ANVISADE]
    kv = tables["kpi_values"]
    only_files = tables.with_tables(
        kpi_values=kv[~kv["kpi"].isin([*reception_kpis, kpis.RECEIVED_PER_1000])]
    )
    rep = _report(registry, only_files, "0680")
    assert rep.year == 2018 and not rep.has_series  # the latest year of Migrationsverket's files
    assert "Kolada har ingen uppgift om kommunmottagna för Jönköping 2018" in (
        reception_report.summary_text(rep)
    )
    assert "`etablering data fetch --group mottagande`" in reception_report.series_missing_text(rep)
    assert reception_report.files_notice(rep) is None
    assert "tog Jönköping emot 494 personer 2018" in reception_report.files_summary_text(rep)
    assert reception_report.key_figures(rep)["kommuntal"] == 199
    assert "Kolada har ingen uppgift om kommunmottagna 2018 för" not in (
        reception_report.data_notes(rep)
    )


# --- hand-made edge cases ----------------------------------------------------------------------


def test_flagged_value_says_why_it_is_missing(jonkoping):
    flags = pd.DataFrame(
        {
            "kpi": ["N01986"],
            "area_code": ["0680"],
            "year": [2019],
            "gender": ["K"],
            "value": [999.0],
            "rule": ["kvinnor + män ≠ totalt"],
            "detail": ["kvinnor 999 + män 185 = 1 184, men totalt 311"],
        }
    )
    rep = jonkoping
    original = rep.flags
    try:
        rep.flags = flags
        assert reception_report.missing_text(rep, "N01986", 2019, "K") == (
            "uppgift saknas (flaggad: kvinnor 999 + män 185 = 1 184, men totalt 311)"
        )
        assert reception_report.missing_text(rep, "N01986", 2019, "M") == fmt.MISSING
    finally:
        rep.flags = original


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
            rows.append((2018, code, cat, n if cat == "ebo" else 0, 0, "migrationsverket_fil"))
    return pd.DataFrame(
        rows, columns=["year", "kommun_code", "category", "persons", "ensamkommande", "origin"]
    )


def _population(rows):
    return pd.DataFrame(rows, columns=["area_code", "year", "population"]).assign(
        origin="scb_fil", retrieved=""
    )


def test_zero_kommuntal_and_zero_population_never_divide_by_zero():
    kt = pd.DataFrame(
        {
            "year": [2018],
            "kommun_code": ["0114"],
            "kommuntal": [0],
            "mottagna_anvisade": [0],
            "origin": ["migrationsverket_fil"],
        }
    )
    pop = _population([("0114", 2018, 0), ("0115", 2018, 1000)])
    t = reception.kommun_table(
        2018, _areas(), kt, _mottagna({"0114": 5, "0115": 3}), pop
    ).set_index("kommun_code")
    assert pd.isna(t.loc["0114", "uppfyllelse_pct"]) and pd.isna(t.loc["0114", "per_1000"])
    assert t.loc["0115", "per_1000"] == pytest.approx(3.0)
    assert pd.isna(t.loc["0117", "mottagna_totalt"])  # absent from the file: unknown, not 0
    riket = reception.totals(t.reset_index(), "Riket")
    assert math.isnan(riket.uppfyllelse_pct) and riket.n_missing_received == 1


def test_a_year_no_population_source_has_takes_the_nearest_and_is_labelled(kolada_rows):
    kv = kolada_rows(("N01986", "0114", 2023, 30.0), ("N01986", "0115", 2023, 10.0))
    pop = _population([("0114", 2021, 1000), ("0114", 2022, 1500), ("0115", 2022, 500)])
    kp = reception.kolada_panel(kv, _areas(), pop)
    r = kp.set_index("kommun_code").loc["0114"]
    assert (r["population"], r["population_year"], bool(r["population_proxy"])) == (
        1500,
        2022,
        True,
    )
    assert r["per_1000"] == pytest.approx(20.0)
    agg = reception.aggregate(kp, ["0114", "0115", "0117"]).loc[2023]
    assert (agg["received"], agg["n_received"], agg["missing_received"]) == (40, 2, ["0117"])
    assert agg["population"] == 2000 and bool(agg["population_proxy"])


def test_with_change_needs_the_year_before():
    s = reception.with_change(
        pd.DataFrame({"received": [10.0, 0.0, 5.0]}, index=[2010, 2011, 2013])
    )
    assert s.loc[2011, "change"] == -10 and s.loc[2011, "change_pct"] == pytest.approx(-100)
    assert pd.isna(s.loc[2013, "change"])  # 2012 is missing: no change is invented
    assert reception_report.change_cell(-10, -100) == "\u221210 (\u2212100\u00a0%)"


def test_a_small_change_is_not_minus_zero_percent():
    """A län's table read '−2 (−0 %)' for 541 received after 543: a change under half a percent
    keeps a decimal, and one that rounds to nothing even so is '0 %'."""
    assert reception_report.change_cell(-2, 100 * -2 / 543) == "\u22122 (\u22120,4\u00a0%)"
    assert reception_report.signed_percent(0.5) == "+0,5\u00a0%"
    assert reception_report.signed_percent(0.02) == "0\u00a0%"
    assert reception_report.signed_percent(48.2) == "+48\u00a0%"


# --- charts ----------------------------------------------------------------------------------------


def test_series_chart_states_its_source_and_marks_missing_years():
    import matplotlib.pyplot as plt

    plots.setup()
    frame = pd.DataFrame(
        {
            "received": [82.0, float("nan"), 803.0],
            "received_k": [float("nan"), float("nan"), 295.0],
            "received_m": [float("nan"), float("nan"), 508.0],
            "anvisning": [float("nan"), 10.0, 241.0],
            "unaccompanied": [float("nan"), 337.0, 31.0],
        },
        index=[2005, 2006, 2016],
    )
    fig = plots.reception_series(frame, "Test: kommunmottagna", "Källa: Kolada", highlight=2016)
    texts = [t.get_text() for t in fig.texts] + [t.get_text() for t in fig.axes[0].texts]
    assert "Källa: Kolada" in texts and "uppgift saknas" in texts and "803" in texts
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert all("," not in t for t in ticks)
    plt.close(fig)


def test_per_1000_charts_use_swedish_ticks():
    import matplotlib.pyplot as plt

    plots.setup()
    values = pd.Series({"A": 1.66, "B": 0.73, "Riket": 1.11})
    kinds = pd.Series({"A": "kommun", "B": "lan", "Riket": "riket"})
    fig = plots.per_1000_bars(values, kinds, "Per 1 000", "Per 1 000", "Källa: test")
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert ticks and all("." not in t for t in ticks) and any("," in t for t in ticks)
    plt.close(fig)
    lines = pd.DataFrame({"egen": [1.0, 2.5], "Kolada": [1.1, 2.6]}, index=[2021, 2022])
    fig = plots.per_1000_lines(lines, "Per 1 000", "Källa: test")
    assert [t.get_text() for t in fig.texts] == ["Källa: test"]
    plt.close(fig)


def test_population_table_for_the_report_merges_scb_and_kolada(tables):
    pop = tables["population"]
    j = pop[pop["area_code"] == "0680"].set_index("year")
    assert j.loc[2018, "origin"] == "kolada_uttag" and j.loc[2022, "origin"] == "scb_fil"
    assert (
        panel.population_for_year(pop, 2018).set_index("area_code").loc["0680", "population"]
        == 139_222
    )
