"""03-forsorjningsstod assembled from the real 2018 reception: kommun, län, no entrants, bad input."""

import pandas as pd
import pytest

from etablering import cost_report
from etablering.errors import ParameterError
from etablering.kefu.params import UNCERTAIN_PATHS
from etablering.params import CostParams, validate_params


@pytest.fixture(scope="module")
def tables(processed):
    """The report's assembly on one known input: entrants from Migrationsverket's 2018
    reception (Kolada's N00960 left out, so the model takes its reception path)."""
    tables = cost_report.load_tables(processed)
    kv = tables["kpi_values"]
    return {**tables, "kpi_values": kv[kv["kpi"] != "N00960"]}


def _build(registry, tables, **kw):
    return cost_report.build(validate_params(registry, CostParams, **kw), tables, registry)


@pytest.fixture(scope="module")
def jonkoping(registry, tables):
    return _build(registry, tables, kommun="0680", n_draws=300)


def test_jonkoping_entrants_come_from_real_2018_reception(jonkoping):
    assert "494 personer" in jonkoping.projection.entrants_source
    e = jonkoping.projection.entrants
    assert e["entrants"].sum() == pytest.approx(494 * 0.5)  # × share aged 20–64


def test_jonkoping_cost_rises_after_the_programme_ends(jonkoping):
    t = jonkoping.total["cost_kr"]
    assert t[2019] == 0  # all still in the 24-month programme
    assert t[2020] > 0 and t[2021] > t[2020]
    cmp = jonkoping.projection.comparison.set_index("year")
    assert cmp.loc[2022, "cost_kefu_kr"] == 0 and cmp.loc[2022, "cost_full_kr"] > 0  # carry-over


def test_bands_contain_the_median_and_are_ordered(jonkoping):
    b = jonkoping.bands[jonkoping.bands["gender"] == "T"].set_index("year")
    for year in (2020, 2021, 2022, 2023):
        assert (
            b.loc[year, "p2_5"]
            <= b.loc[year, "p10"]
            <= b.loc[year, "p50"]
            <= b.loc[year, "p90"]
            <= b.loc[year, "p97_5"]
        )


def test_scenarios_cost_less_than_baseline(jonkoping):
    s = jonkoping.scenarios.groupby("scenario")["cost_kr"].sum()
    assert s["aktiv_fran_dag_ett"] < s["kvinnor_som_man"] < s["baseline"]
    table = cost_report.scenario_table(jonkoping)
    assert "Aktiv från dag ett: skillnad mot bas" in table.index
    assert "Hyra som i Ängelholm 2023" in table.index  # the label from the YAML, not the key
    assert "- *Långsam etablering*: Hälften så snabbt" in cost_report.scenario_descriptions(
        jonkoping
    )


def test_tornado_values_read_as_percent_kronor_or_factor(jonkoping):
    values = cost_report.tornado_table(jonkoping)["Värde (lågt–högt)"]
    assert values["Andel utan arbete/studier som behöver bistånd"] == "77,5 % (60,0–95,0 %)"
    assert values["Övriga inkomster per hushåll"] == "0 kr (0–2\u00a0500 kr)"
    assert values["Hyra / hyrestak"] == "× 1,00 (0,75–1,15)"
    table = cost_report.assumptions_table(jonkoping)
    assert (
        table.loc["rent_factor", "Osäkerhet"] == "triangulär 0,750–1,15, typvärde 1"
    )  # not rounded to 1
    assert set(UNCERTAIN_PATHS) <= set(table.index)  # every uncertain assumption is listed


def test_whole_period_band_in_summary_and_table(jonkoping):
    pb = jonkoping.period_bands.set_index("gender").loc["T"]
    total = jonkoping.total["cost_kr"].sum()
    assert pb["deterministic"] == pytest.approx(total) and pb["p10"] < pb["p50"] < pb["p90"]
    text = cost_report.summary_text(jonkoping)
    assert "För hela perioden 2019–2023 ligger kostnaden med 80 % sannolikhet mellan" in text
    row = cost_report.cost_table(jonkoping).loc["Hela perioden"]
    assert row["Kostnad (Mkr)"] == cost_report.mkr_number(total)
    assert row["80 % intervall (Mkr)"] == cost_report.mkr_range(pb["p10"], pb["p90"])


def test_summary_names_cost_kefu_gap_and_top_assumption(jonkoping):
    text = cost_report.summary_text(jonkoping)
    assert "Jönköping kan vänta sig" in text and "Mkr" in text
    assert "KEFU:s avgränsning" in text and jonkoping.tornado.iloc[0]["label"] in text


def test_assumptions_table_gives_every_number_a_source(jonkoping):
    a = cost_report.assumptions_table(jonkoping)
    assert (a["Källa"].str.len() > 5).all()
    assert (
        "riksnorm.years.2019.single_adult" in a.index
        and a.loc["riksnorm.years.2019.single_adult", "Värde"] == "3\u00a0090"
    )
    # barnbidrag by year only for the horizon's years, like riksnorm
    years = range(jonkoping.projection.start_year, jonkoping.projection.end_year + 1)
    by_year = {p for p in a.index if p.startswith("other_income.per_child_by_year.")}
    table = jonkoping.params.other_income.per_child_by_year
    assert by_year == {f"other_income.per_child_by_year.{y}" for y in table if y in years}
    assert 2014 not in years and 2014 in table
    assert "other_income.per_child" in a.index


def test_backtest_uses_kolada_bistand_from_the_dump(jonkoping, tables):
    bt = jonkoping.backtest.set_index("year")
    kv = tables["kpi_values"]
    u31001 = kv[(kv["kpi"] == "U31001") & (kv["area_code"] == "0680")].set_index("year")["value"]
    assert bt.loc[2020, "actual_kr"] == pytest.approx(u31001[2020] * 142_427)  # SCB 2020
    assert "faktiskt" in cost_report.backtest_text(jonkoping)


def test_offline_backtest_names_the_kpis_to_fetch(registry, tables):
    kv = tables["kpi_values"]
    without = {**tables, "kpi_values": kv[~kv["kpi"].isin(["U31001", "N31001"])]}
    rep = _build(registry, without, kommun="0680", n_draws=0)
    assert rep.backtest.empty
    text = cost_report.backtest_text(rep)
    assert "U31001" in text and "N31001" in text and "etablering data fetch --group bistand" in text


def test_lan_is_the_sum_of_its_kommuner_entrants(registry, tables):
    skane = _build(registry, tables, kommun="12", n_draws=0)
    assert skane.is_lan and len(skane.members) == 33
    km = tables["kommunmottagna"]
    skane_persons = km[km["kommun_code"].str.startswith("12")]["persons"].sum()
    assert skane.projection.entrants["entrants"].sum() == pytest.approx(skane_persons * 0.5)
    assert skane.bands.empty  # n_draws=0: no Monte Carlo


def test_kommun_without_entrants_costs_zero_and_says_so(registry, tables):
    empty = {
        **tables,
        "kommunmottagna": tables["kommunmottagna"][
            tables["kommunmottagna"]["kommun_code"] != "0680"
        ],
    }
    rep = _build(registry, empty, kommun="0680", n_draws=50)
    assert rep.total["cost_kr"].sum() == 0
    assert "ingen kostnad" in cost_report.summary_text(rep)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"scenario": "snabbspår"}, "parametern scenario"),
        ({"overrides": {"need_share": 1.2}}, "need_share"),
        ({"overrides": {"rent.single": -100}}, "rent.single"),
        ({"start_year": 2017}, "start_year"),
        ({"end_year": 2040}, "end_year"),
    ],
)
def test_bad_parameters_name_the_parameter(registry, tables, kw, message):
    with pytest.raises(ParameterError, match=message.replace(".", r"\.")):
        _build(registry, tables, kommun="0680", n_draws=0, **kw)


def test_download_tables_are_plain_numbers(jonkoping):
    y = jonkoping.projection.yearly
    assert set(y["gender"]) == {"K", "M", "T"} and pd.api.types.is_float_dtype(y["cost_kr"])


def test_backtest_prefers_a_newer_fetched_u31001(registry, tables, kolada_rows):
    rows = kolada_rows(("U31001", "0680", 2020, 1000.0), ("U31001", "0680", 2021, 1100.0))
    pop = tables["population"].set_index(["area_code", "year"])["population"]
    fetched = {
        **tables,
        "kpi_values": pd.concat([tables["kpi_values"], rows], ignore_index=True),
    }
    rep = _build(registry, fetched, kommun="0680", n_draws=0)
    bt = rep.backtest.set_index("year")
    assert bt.loc[2020, "actual_kr"] == pytest.approx(1000.0 * pop[("0680", 2020)])
    assert bt.loc[2021, "projected_kr"] == pytest.approx(rep.total.loc[2021, "cost_kr"])
    assert "U31001" not in rep.backtest_missing
    assert "faktiskt" in cost_report.backtest_text(rep)
