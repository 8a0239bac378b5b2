"""The model on the real offline snapshot (Jönköping 0680) and on Kolada-shaped tables."""

import pandas as pd
import pytest

from etablering.kefu import entrants_for_kommun, load_params, prepare, project_kommun
from etablering.kefu.outcomes import exit_shares
from etablering.kefu.uncertainty import monte_carlo, tornado
from etablering.store import read_table


@pytest.fixture(scope="module")
def tables(processed):
    return read_table("kommunmottagna", processed), read_table("kpi_values", processed)


@pytest.fixture(scope="module")
def params():
    return load_params()


def test_jonkoping_entrants_from_kommunmottagna_2018_without_kolada(tables, params):
    kommunmottagna, _ = tables
    entrants = entrants_for_kommun("0680", kommunmottagna, None, params)
    table = entrants.table(params)
    by_gender = table.groupby("gender")["entrants"].sum()
    print("\n" + entrants.source)
    print(by_gender.to_string())
    # 494 kommunmottagna 2018 (51 kvot + 158 ABO + 100 EBO + 51 övriga + 134 anhöriga)
    assert entrants.kind == "kommunmottagna"
    assert "kommunmottagna 2018" in entrants.source and "494 personer" in entrants.source
    assert by_gender.sum() == pytest.approx(494 * 0.50)
    assert by_gender["K"] == pytest.approx(494 * 0.50 * 0.57)
    assert by_gender["M"] == pytest.approx(494 * 0.50 * 0.43)
    assert len(table) == 24 and table["month"].min() == pd.Period("2018-01", "M")


def test_jonkoping_projection_2019_2023(tables, params):
    kommunmottagna, kpi_values = tables
    proj = project_kommun("0680", kommunmottagna, kpi_values, params, 2019, 2023)
    levels = proj.exit_shares.set_index(["exit_year", "gender"])
    # Jönköping's own N00973 by gender from the Kolada dump
    n00973 = kpi_values[
        (kpi_values["kpi"] == "N00973") & (kpi_values["area_code"] == "0680")
    ].set_index(["year", "gender"])["value"]
    assert levels.loc[(2020, "K"), "level"] == "kommun"
    assert levels.loc[(2020, "K"), "in_work_share"] == pytest.approx(n00973[(2020, "K")] / 100)
    total = proj.yearly.query("gender == 'T'").set_index("year")["cost_kr"]
    print("\n" + (total / 1e6).round(2).to_string())
    assert (total > 0).all()  # every cohort 2014–2022 counts (N00960), so 2019 is not empty
    prep = prepare(
        entrants_for_kommun("0680", kommunmottagna, kpi_values, params),
        params,
        2019,
        2023,
        kommun_code="0680",
        kpi_values=kpi_values,
    )
    bands = monte_carlo(prep, n_draws=1000, seed=2018).query("gender == 'T'").set_index("year")
    assert bands.loc[2021, "p10"] < total[2021] < bands.loc[2021, "p97_5"]
    print(tornado(prep)[["label", "swing_kr"]].head(3).to_string())


def test_kommun_level_n00973_is_preferred(tables, params):
    _, kpi_values = tables
    table = exit_shares("2580", [2020, 2030], kpi_values, params).set_index(["exit_year", "gender"])
    assert table.loc[(2020, "K"), "level"] == "kommun"  # Luleå K 41 %, M 52 %
    assert table.loc[(2020, "K"), "in_work_share"] == pytest.approx(0.41, abs=0.005)
    assert table.loc[(2020, "M"), "in_work_share"] == pytest.approx(0.52, abs=0.005)
    assert table.loc[(2030, "K"), "level"] == "parameter"
    assert table.loc[(2030, "K"), "in_work_share"] == params.exit_share.women.value


def _kpi(rows):
    base = {"status": "", "origin": "kolada_api", "retrieved": "", "count": None, "source_file": ""}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_lan_level_when_the_kommun_has_no_value(params):
    kpi = _kpi([{"kpi": "N00973", "area_code": "0006", "year": 2020, "gender": "T", "value": 40.0}])
    table = exit_shares("0680", [2020], kpi, params)
    assert set(table["level"]) == {"lan"}


def test_kolada_n00960_is_used_when_present(tables, params):
    kommunmottagna, _ = tables
    kpi = _kpi(
        [
            {"kpi": "N00960", "area_code": "0680", "year": 2019, "gender": "K", "value": 300.0},
            {"kpi": "N00960", "area_code": "0680", "year": 2019, "gender": "M", "value": 240.0},
            {"kpi": "N00960", "area_code": "0680", "year": 2019, "gender": "T", "value": 540.0},
        ]
    )
    entrants = entrants_for_kommun("0680", kommunmottagna, kpi, params)
    assert entrants.kind == "kolada_n00960" and "N00960" in entrants.source
    by_gender = entrants.table(params).groupby("gender")["entrants"].sum()
    share = params.entrants.n00960_new_entrant_share.value
    assert by_gender["K"] == pytest.approx(300 * share) and by_gender["M"] == pytest.approx(
        240 * share
    )
