"""02-etablering: what the report says for real (Luleå, Jönköping, Malmö, Bjurholm, Jönköpings
län, riket), missing and synthetic data."""

import shutil

import pytest

from etablering.analysis import cache as derived
from etablering.data import kpis, store
from etablering.data.demo_data import remove_demo, write_demo
from etablering.reports import outcomes as outcomes_report
from etablering.reports.base import ReportData
from etablering.reports.notebook_params import OutcomeParams, validate_params


@pytest.fixture(scope="module")
def tables(processed, registry):
    # without the expected-value model unless a test hands it in (fitting it is slow)
    return ReportData(processed, registry, derived=False)


@pytest.fixture(scope="module")
def model(processed, tmp_path_factory):
    import os

    os.environ["ETABLERING_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    return derived.expected_tables(processed)


def _build(registry, tables, kommun, expected=None, **kw):
    params = validate_params(registry, OutcomeParams, kommun=kommun, **kw)
    data = tables if expected is None else tables.with_expected(expected)
    return outcomes_report.build(params, data)


def test_lulea_real_shares_by_gender(registry, tables):
    rep = _build(registry, tables, "2580")
    wide = outcomes_report.outcome_wide_display(rep)
    # Kolada: 14 of 49 women and 78 of 118 men, with Wilson intervals
    assert wide.loc[2018, "Kvinnor"] == "29\u00a0% (18–42)"
    assert wide.loc[2018, "Män"] == "66\u00a0% (57–74)"
    assert wide.loc[2018, "Totalt"].startswith("55\u00a0%")
    text = outcomes_report.summary_text(rep)
    # 2023–2024 only in Luleå's own table, without the number who left
    assert "i Luleå 2024 var 28\u00a0% av kvinnorna och 40\u00a0% av männen" in text
    assert "Antalet som lämnade 2024 finns inte i underlaget" in text
    assert "Senaste period med antal som lämnade i Kolada är 2022" in text
    assert "Kolada (RKA), uttag augusti 2024" in rep.source
    assert "transkriberat" in rep.source and "SYNTETISKA" not in rep.source


def test_education_of_those_enrolled_by_gender(registry, tables):
    """Umeå 2022 (Kolada N00961, N00994, N00962, N00963 of N00960): the rows read as Swedish
    (the subset row a whole phrase, not "saknar formell grundläggande"), the shares Kolada's."""
    rep = _build(registry, tables, "2480")
    assert rep.education_year == 2022
    edu = rep.education.round()
    assert list(edu.index) == [
        "Högst förgymnasial",
        "– varav utan grundläggande utbildning",
        "Gymnasial",
        "Eftergymnasial, mer än 2 år",
    ]
    assert edu.loc["Högst förgymnasial"].tolist() == [39, 41, 40]
    assert edu.loc["– varav utan grundläggande utbildning"].tolist() == [21, 6, 13]


def test_gap_table_shows_each_years_shares_and_gap(registry, tables):
    rep = _build(registry, tables, "2580")
    gap = outcomes_report.gap_display(rep)
    row = gap.loc[2018].to_dict()
    # 14 of 49 women (28,57 %) and 78 of 118 men (66,10 %): the gap a reader sees is 37
    assert (row["Kvinnor (%)"], row["Män (%)"]) == ("29", "66")
    assert row["Skillnad (procentenheter)"] == "\u221237"
    assert row["95 % intervall"] == "\u221250,9 till \u221221,1" and row["Säker skillnad?"] == "ja"
    assert gap.loc[2024, "95 % intervall"] == "–"  # Luleå's own 2024 figure has no cohort
    details = outcomes_report.gap_details(rep)
    assert details.loc[2018, "p-värde (z-test)"] == "< 0,001"
    assert details.loc[2018, "Skillnad, exakt (procentenheter)"] == "\u221237,5"


def test_comparison_leaves_out_areas_without_values_and_says_so(registry, tables):
    table, year = outcomes_report.comparison_table(_build(registry, tables, "2580"))
    assert year == 2024 and table.loc["Riket", "Totalt"] == 36
    text = outcomes_report.comparison_missing_text(table, year)
    assert text.startswith(
        "Uppgift saknas 2024 för Liknande kommuner (ovägt medel) och Norrbottens län i underlaget"
    )
    table, year = outcomes_report.comparison_table(_build(registry, tables, "0680"))
    # 2022: Jönköpings län summed from its kommuner (Kolada has no län value)
    assert year == 2022 and round(table.loc["Jönköpings län", "Kvinnor"]) == 29


def test_missing_kpis_are_listed_with_the_fetch_command(registry, tables):
    rep = _build(registry, tables, "2580")
    missing = dict(rep.missing_kpis)  # not in the August 2024 dump
    assert "N00972" in missing and "N00964" not in missing and "N00973" not in missing
    text = outcomes_report.availability_text(rep)
    # one line with the command; the codes and names folded away in the details
    assert "\n" not in text and "etablering data fetch --group etablering" in text
    assert "N00972" not in text and text.startswith(f"{len(missing)} nyckeltal saknas för Luleå")
    details = outcomes_report.availability_details(rep)
    assert "N00972: I studier (status efter 90 dagar)" in details


def test_kommun_without_outcomes_says_so_without_inventing_zeros(registry, tables):
    kv = tables["kpi_values"]
    without = tables.with_tables(
        kpi_values=kv[~((kv["area_code"] == "0680") & kv["kpi"].str.startswith("N009"))]
    )
    rep = _build(registry, without, "0680")
    assert rep.kommun["share_pct"].isna().all()
    assert "Det finns inga uppgifter" in outcomes_report.summary_text(rep)
    assert rep.trend is None and any("minst 3 år" in n for n in rep.notes)
    assert outcomes_report.key_figures(rep) == {
        "women_pct": None,
        "men_pct": None,
        "outcome_year": None,
    }
    # riket's real series stands in as reference
    ref = outcomes_report.riket_reference(rep)
    assert ref.loc[2018, "Riket, totalt"] == "45\u00a0%"
    text = outcomes_report.riket_reference_text(rep)
    assert "2024 var 36\u00a0%" in text


def test_bad_year_range_is_an_error(registry):
    from etablering.core.errors import ParameterError

    with pytest.raises(ParameterError, match="first_year"):
        validate_params(registry, OutcomeParams, kommun="0680", first_year=2024, last_year=2016)


@pytest.fixture
def demo_dir(processed, tmp_path, monkeypatch):
    target = tmp_path / "processed"
    shutil.copytree(processed, target)
    monkeypatch.setenv("ETABLERING_CACHE", str(tmp_path / "cache"))
    write_demo(seed=2016, data_dir=target)
    return target


def test_demo_report_is_synthetic_throughout_and_has_every_part(registry, demo_dir):
    t = ReportData(demo_dir, registry)
    params = validate_params(registry, OutcomeParams, kommun="0680", demo=True)
    rep = outcomes_report.build(params, t)
    assert set(rep.kommun["origin"].dropna()) == {"syntetisk"}
    assert rep.source.startswith("Källa: SYNTETISKA DATA")
    assert rep.trend is not None and not rep.expected.empty
    assert rep.headline.label.endswith("2024") and rep.destinations_label == rep.headline.label
    assert rep.gap["gap_low"].notna().any()
    assert set(rep.expected["gender"]) == {"K", "M"} and len(rep.effects) > 500
    # the real Luleå rows are never mixed into a demo report, nor demo rows into a real one
    lulea_demo = outcomes_report.build(
        validate_params(registry, OutcomeParams, kommun="2580", demo=True), t
    )
    assert set(lulea_demo.kommun["origin"].dropna()) == {"syntetisk"}
    lulea_real = _build(registry, t, "2580")
    assert "syntetisk" not in set(lulea_real.kommun["origin"].dropna())


def test_demo_rows_can_be_removed(demo_dir):
    n = remove_demo(demo_dir)
    assert n > 50_000
    assert not (store.read_table("kpi_values", demo_dir)["origin"] == "syntetisk").any()


def test_expected_model_is_cached_per_data_version(demo_dir, tmp_path, monkeypatch):
    """Computed once per data version: the second call reads the cache (a computation then
    fails the test), and the folder is named by the data version."""
    calls = []
    compute = derived.compute_expected

    def counted(*args, **kwargs):
        calls.append(args)
        if len(calls) > 1:
            raise AssertionError("the expected-value model was computed again")
        return compute(*args, **kwargs)

    monkeypatch.setattr(derived, "compute_expected", counted)
    first = derived.expected_tables(demo_dir, synthetic=True)
    folders = list((tmp_path / "cache" / "derived").iterdir())
    assert len(calls) == 1 and len(folders) == 1 and first is not None
    assert folders[0].name.endswith(store.data_version(demo_dir))
    again = derived.expected_tables(demo_dir, synthetic=True)
    assert len(calls) == 1
    assert again.table.equals(first.table) and again.info == first.info
    assert first.validation["ok"].all() and first.info["test_years"] == [2021, 2022]


def test_demo_rows_survive_a_reimport(demo_dir, raw_dir):
    from etablering.data.importer import import_dir

    before = (store.read_table("kpi_values", demo_dir)["origin"] == "syntetisk").sum()
    import_dir(raw_dir, demo_dir, log=lambda *a: None)
    after = (store.read_table("kpi_values", demo_dir)["origin"] == "syntetisk").sum()
    assert after == before > 0


def test_demo_report_without_demo_data_says_how_to_make_it(registry, tables):
    rep = _build(registry, tables, "2403", demo=True)
    assert "etablering data demo" in outcomes_report.summary_text(rep)


def test_report_demo_without_demo_data_exits_2(processed, tmp_path, capsys):
    from etablering.run.cli import main

    assert main(["report", "0680", "--demo", "--out", str(tmp_path / "r")]) == 2
    assert "etablering data demo" in capsys.readouterr().err


# --- real values for Jönköping, Malmö, Bjurholm and Jönköpings län -------------------------------


def test_jonkoping_headline_expected_value_and_rank(registry, tables, model):
    rep = _build(registry, tables, "0680", expected=model)
    text = outcomes_report.summary_text(rep)
    # Kolada N00973 × N00964 2022: 33 of 77 women and 64 of 92 men
    assert "i Jönköping 2022 var 43\u00a0% av kvinnorna och 70\u00a0% av männen" in text
    assert "(status efter 90 dagar) – 27 procentenheter till männens fördel" in text
    assert "33 av 77 kvinnor och 64 av 92 män" in text
    assert "För kvinnorna 2022 väntades" in text and "i nivå med" not in text
    assert "kan inte skiljas från det förväntade" in text
    assert outcomes_report.key_figures(rep) == {
        "women_pct": 43.0,
        "men_pct": 70.0,
        "outcome_year": "2022",
    }
    effect = outcomes_report.effect_text(rep)
    assert "plats" in effect and "av 290" in effect
    scb = outcomes_report.scb_text(rep)
    assert "2022 förvärvsarbetade 73,6\u00a0% i Jönköping mot förväntat 70,5\u00a0%" in scb
    assert "inte rapportens egen modell" in scb
    assert "N00485" in rep.scb_source and "Koladas modell" in rep.scb_source


def test_malmo_real_figures(registry, tables, model):
    rep = _build(registry, tables, "1280", expected=model)
    text = outcomes_report.summary_text(rep)
    assert "i Malmö 2022 var 24\u00a0% av kvinnorna och 49\u00a0% av männen" in text
    assert "44 av 182 kvinnor och 73 av 149 män" in text
    effects = outcomes_report.effect_rows(rep).set_index("gender")
    assert effects.loc["K", "effect_pp_high"] < 0  # below kommuner with the same conditions


def test_bjurholm_small_cohorts_are_pooled(registry, tables, model):
    rep = _build(registry, tables, "2403", expected=model)
    text = outcomes_report.summary_text(rep)
    assert "i Bjurholm åren 2019–2021 sammantaget var 50\u00a0% av kvinnorna och 58\u00a0%" in text
    assert "2021 lämnade bara 4 kvinnor och 4 män" in text
    assert "kan inte skiljas från slumpens variation" in text
    assert "För kvinnorna 2019–2021 väntades" in text
    assert outcomes_report.key_figures(rep)["outcome_year"] == "2019–2021"


def test_pooled_years_with_gaps_are_named_not_spanned(registry, tables):
    """Ydre has women's and men's shares only for 2015, 2019 and 2020: the headline pools those
    three, and says which – not "2015–2020", which would include 2016–2018."""
    rep = _build(registry, tables, "0512")
    text = outcomes_report.summary_text(rep)
    assert "i Ydre åren 2015, 2019 och 2020 sammantaget var 11\u00a0% av kvinnorna" in text
    assert "I riket var andelen samma år (2015, 2019 och 2020)" in text
    assert "2015–2020" not in text


def test_lan_06_report_sums_its_kommuner(registry, tables, model):
    rep = _build(registry, tables, "06", expected=model)
    assert rep.is_lan and rep.area.code == "0006" and len(rep.members) == 13
    text = outcomes_report.summary_text(rep)
    assert "i Jönköpings län (summan av länets kommuner) 2022 var 29\u00a0% av kvinnorna" in text
    assert "67 av 228 kvinnor och 109 av 178 män" in text
    assert "länets siffror är summan av dess 13 kommuner" in text
    exp = rep.expected.set_index(["year", "gender"])
    assert exp.loc[(2022, "K"), "n"] == 228 and exp.loc[(2022, "K"), "successes"] == 67
    assert "länets värden summerade från kommunerna" in rep.source
    assert len(outcomes_report.effects_display(rep, {a.code: a.name for a in rep.members})) == 13
    sides = outcomes_report.side_by_side(rep, {a.code: a.name for a in rep.members})
    assert list(sides.index[-2:]) == ["Jönköpings län", "Riket"]


def test_gotlands_lan_is_its_one_kommun_not_a_sum(registry, tables, model):
    rep = _build(registry, tables, "09", expected=model)
    text = outcomes_report.summary_text(rep)
    assert "etableringsuppdraget i Gotlands län åren 2020–2022 sammantaget" in text
    assert "summan av länets" not in text and "länets siffror är dess enda kommuns" in text
    assert "; länets värden är dess enda kommuns;" in rep.source_for([kpis.WORK_OR_STUDIES])
    # the funnel read "0 av länets 1 kommuner utanför"
    funnel = outcomes_report.funnel_text(rep, outcomes_report.funnel(rep))
    assert "För kvinnor ligger länets enda kommun inom det heldragna spannet." in funnel
    assert "länets 1 kommuner" not in funnel
    lan_06 = _build(registry, tables, "06")
    assert "länets värden summerade från kommunerna" in lan_06.source_for([kpis.WORK_OR_STUDIES])


def test_one_man_is_singular(registry, tables):
    """Munkfors read '2020 lämnade bara 8 kvinnor och 1 män'."""
    text = outcomes_report.summary_text(_build(registry, tables, "1762"))
    assert "lämnade bara 8 kvinnor och 1 man, så de senaste 3 åren" in text


def test_funnel_marks_the_kommun_and_has_overdispersed_limits(registry, tables, model):
    rep = _build(registry, tables, "0680", expected=model)
    f = outcomes_report.funnel(rep)
    assert rep.pooled_years == [2020, 2021, 2022]
    jkp = f.points[(f.points["area_code"] == "0680")].set_index("gender")
    assert (jkp.loc["K", "successes"], jkp.loc["K", "n"]) == (107, 303)
    assert 0.2 < f.tau["K"] < 1.0 and 0.2 < f.tau["M"] < 1.0
    low, high = outcomes_report.funnel_limits(f.centre["K"], f.tau["K"], 303)
    assert low < 107 / 303 < high
    assert "Jönköpings kvinnor: 35\u00a0% av 303, inom det spann" in outcomes_report.funnel_text(
        rep, f
    )


def test_method_note_cites_the_out_of_sample_coverage(registry, tables, model):
    rep = _build(registry, tables, "0680", expected=model)
    text = outcomes_report.method_text(rep)
    assert "anpassad på 2015–2020 och prövad på 2021–2022" in text
    assert "95,9\u00a0% av kvinnornas 291 kommunår" in text
    assert "95,0\u00a0% av männens 219 kommunår" in text
    table = outcomes_report.validation_display(rep)
    assert table.loc[("Kvinnor", "100 eller fler"), "Inom spannet"] == "100,0\u00a0%"


def test_flagged_rows_are_named_in_the_notes(registry, tables):
    rep = _build(registry, tables, "0680")
    notes = outcomes_report.data_notes(rep)
    # the dump's N00961 2015 split for 103 kommuner broke women + men = total
    if len(rep.flagged):
        assert "Uppgift saknas – flaggad" in notes and "N00961 2015" in notes
