"""02-etablering: what the report says for real (Luleå, riket), missing and synthetic data."""

import shutil

import pytest

from etablering import derived, outcomes_report, store
from etablering.demo_data import remove_demo, write_demo
from etablering.params import OutcomeParams, validate_params


@pytest.fixture(scope="module")
def tables(processed):
    return outcomes_report.load_tables(processed)


def _build(registry, tables, kommun, **kw):
    params = validate_params(registry, OutcomeParams, kommun=kommun, **kw)
    return outcomes_report.build(
        params, tables["kpi_values"], tables["area_groups"], tables["kpi_catalogue"], registry
    )


def test_lulea_real_shares_by_gender(registry, tables):
    rep = _build(registry, tables, "2580")
    wide = outcomes_report.outcome_wide_display(rep)
    # Kolada: 14 of 49 women and 78 of 118 men, with Wilson intervals
    assert wide.loc[2018, "Kvinnor"] == "29\u00a0% (18–42)"
    assert wide.loc[2018, "Män"] == "66\u00a0% (57–74)"
    assert wide.loc[2018, "Totalt"].startswith("55\u00a0%")
    text = outcomes_report.summary_text(rep)
    # 2023–2024 only in Luleå's own table, without cohorts
    assert "2024 gick 28\u00a0% av kvinnorna och 40\u00a0% av männen" in text
    assert "Kolada (RKA), uttag augusti 2024" in rep.source
    assert "transkriberat" in rep.source and "SYNTETISKA" not in rep.source


def test_gap_table_shows_each_years_shares_and_gap(registry, tables):
    gap = outcomes_report.gap_display(_build(registry, tables, "2580"))
    row = gap.loc[2018].to_dict()
    assert (row["Kvinnor (%)"], row["Män (%)"]) == ("29", "66")
    assert row["95 % KI"] == "-50,9 till -21,1" and row["p-värde"] == "< 0,001"
    assert gap.loc[2024, "95 % KI"] == "–"  # Luleå's own 2024 figure has no cohort


def test_comparison_leaves_out_areas_without_values_and_says_so(registry, tables):
    table, year = outcomes_report.comparison_table(_build(registry, tables, "2580"))
    assert year == 2024 and table.loc["Riket", "Totalt"] == 36
    text = outcomes_report.comparison_missing_text(table, year)
    assert text.startswith(
        "Uppgift saknas 2024 för Liknande kommuner (ovägt medel) och Norrbottens län i underlaget"
    )


def test_missing_kpis_are_listed_with_the_fetch_command(registry, tables):
    rep = _build(registry, tables, "2580")
    missing = dict(rep.missing_kpis)  # not in the August 2024 dump
    assert "N00972" in missing and "N00964" not in missing and "N00973" not in missing
    text = outcomes_report.availability_text(rep)
    assert (
        "etablering data fetch --group etablering" in text
        and "I studier (status efter 90 dagar)" in text
    )


def test_kommun_without_outcomes_says_so_without_inventing_zeros(registry, tables):
    kv = tables["kpi_values"]
    without = {
        **tables,
        "kpi_values": kv[~((kv["area_code"] == "0680") & kv["kpi"].str.startswith("N009"))],
    }
    rep = _build(registry, without, "0680")
    assert rep.kommun["share_pct"].isna().all()
    assert "Det finns inga uppgifter" in outcomes_report.summary_text(rep)
    assert rep.trend is None and any("minst 3 år" in n for n in rep.notes)
    # riket's real series stands in as reference
    ref = outcomes_report.riket_reference(rep)
    assert ref.loc[2018, "Riket, totalt"] == "45\u00a0%"
    text = outcomes_report.riket_reference_text(rep)
    assert "2024 var 36\u00a0%" in text


def test_bad_year_range_is_an_error(registry):
    from etablering.errors import ParameterError

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
    t = outcomes_report.load_tables(demo_dir)
    params = validate_params(registry, OutcomeParams, kommun="0680", demo=True)
    rep = outcomes_report.build(
        params,
        t["kpi_values"],
        t["area_groups"],
        t["kpi_catalogue"],
        registry,
        expected=derived.expected_tables(demo_dir, synthetic=True),
    )
    assert set(rep.kommun["origin"].dropna()) == {"syntetisk"}
    assert rep.source.startswith("Källa: SYNTETISKA DATA")
    assert rep.trend is not None and not rep.expected.empty and rep.destinations_year == 2024
    assert rep.gap["gap_low"].notna().any()
    # the real Luleå rows are never mixed into a demo report, nor demo rows into a real one
    lulea_demo = outcomes_report.build(
        validate_params(registry, OutcomeParams, kommun="2580", demo=True),
        t["kpi_values"],
        t["area_groups"],
        t["kpi_catalogue"],
        registry,
    )
    assert set(lulea_demo.kommun["origin"].dropna()) == {"syntetisk"}
    lulea_real = _build(registry, t, "2580")
    assert "syntetisk" not in set(lulea_real.kommun["origin"].dropna())


def test_demo_rows_can_be_removed(demo_dir):
    n = remove_demo(demo_dir)
    assert n > 50_000
    assert not (store.read_table("kpi_values", demo_dir)["origin"] == "syntetisk").any()


def test_expected_model_is_cached_per_data_version(demo_dir, tmp_path):
    first = derived.expected_tables(demo_dir, synthetic=True)
    folders = list((tmp_path / "cache" / "derived").iterdir())
    assert len(folders) == 1 and first is not None
    again = derived.expected_tables(demo_dir, synthetic=True)
    assert again.table.equals(first.table)
    real = derived.expected_tables(demo_dir, synthetic=False)  # the real panel, fitted apart
    assert real is not None and not real.table.equals(first.table)


def test_demo_rows_survive_a_reimport(demo_dir, raw_dir):
    from etablering.importer import import_dir

    before = (store.read_table("kpi_values", demo_dir)["origin"] == "syntetisk").sum()
    import_dir(raw_dir, demo_dir, log=lambda *a: None)
    after = (store.read_table("kpi_values", demo_dir)["origin"] == "syntetisk").sum()
    assert after == before > 0


def test_demo_report_without_demo_data_says_how_to_make_it(registry, tables):
    rep = _build(registry, tables, "2403", demo=True)
    assert "etablering data demo" in outcomes_report.summary_text(rep)


def test_report_demo_without_demo_data_exits_2(processed, tmp_path, capsys):
    from etablering.cli import main

    assert main(["report", "0680", "--demo", "--out", str(tmp_path / "r")]) == 2
    assert "etablering data demo" in capsys.readouterr().err
