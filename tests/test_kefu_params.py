"""The parameter file: every number sourced, overrides and scenarios validated like the file."""

import numpy as np
import pytest
import yaml

from etablering.analysis.kefu import household_table, load_params
from etablering.analysis.kefu.draws import Draws
from etablering.analysis.kefu.households import kind_cost
from etablering.analysis.kefu.params import UNCERTAIN_PATHS, default_path, iter_sourced
from etablering.core.errors import ParameterError


def test_every_number_has_source_year_and_method_when_derived(params):
    records = list(iter_sourced(params))
    assert len(records) > 250
    for path, record in records:
        assert len(record.source) > 10, path
        assert 1990 <= record.year <= 2100, path
        if record.derived:
            assert record.method, path
    # assumptions say so in their source; calibrated numbers say how
    assert params.households["single"].share.source.startswith("antagande")
    assert params.bistand.move_away_rate.source.startswith("antagande")
    for record in (params.bistand.need_share, params.bistand.return_rate):
        assert record.derived and "kalibrerad" in record.method and "SKL" in record.source
    assert "10 månader" in params.bistand.leave_rate.method


def test_riksnorm_table_covers_2014_to_2026(params):
    assert sorted(params.riksnorm.years) == list(range(2014, 2027))
    assert params.riksnorm.last_allowed_year == 2031


def test_defaults_are_the_documented_anchors(params):
    assert params.etableringsersattning.per_day.value == 308
    assert params.etableringsersattning.monthly() == pytest.approx(6_673, abs=1)
    assert params.schablonersattning.for_year(2018) == 133_200
    assert params.schablonersattning.for_year(2023, aged_65_plus=True) == 92_600
    assert params.schablonersattning.under_65[2021].derived
    assert params.rent.single.value == 5_065  # Malmö 2018
    assert sum(t.share.value for t in params.households.values()) == pytest.approx(1)
    assert params.cohorts.path(2023) == 3_300 and params.cohorts.path(2030) == 1_800
    assert params.kefu_scope.entry_from == "2016-01" and params.kefu_scope.entry_to == "2017-09"


def test_overrides_use_dotted_keys(params):
    changed = load_params(
        overrides={"rent.single": 6_000, "riksnorm.years.2019.single_adult": 3_100}
    )
    assert changed.rent.single.value == 6_000
    assert changed.rent.single.source == params.rent.single.source
    assert "överstyrt" in changed.rent.single.note
    assert changed.riksnorm.years[2019].single_adult.value == 3_100
    assert params.with_overrides({"bistand.leave_rate": 0.02}).bistand.leave_rate.value == 0.02


def test_override_outside_its_range_drops_the_range(params):
    changed = params.with_overrides({"bistand.need_share": 0.9})
    assert changed.bistand.need_share.value == 0.9
    assert changed.bistand.need_share.distribution is None


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"bistand.need_share": 1.2}, "bistand.need_share"),
        ({"bistand.leave_rate": -0.1}, "bistand.leave_rate"),
        ({"rent.single": -100}, "rent.single"),
        ({"kefu_scope.months_in_programme": -1}, "kefu_scope.months_in_programme"),
        ({"kefu_scope.entry_from": "2016"}, "kefu_scope.entry_from"),
        ({"riksnorm.max_years_beyond_table": 2.5}, "riksnorm.max_years_beyond_table"),
        ({"households.single.share": 0.9}, "households"),
        ({"establishment.durations.24": 0.5}, "establishment.durations"),
        ({"outcomes.women_shift": 0.7}, "outcomes.women_shift"),
    ],
)
def test_bad_values_name_the_parameter(overrides, path):
    with pytest.raises(ParameterError) as err:
        load_params(overrides=overrides)
    assert f"parametern {path}" in str(err.value)


def test_unknown_override_key_is_an_error():
    with pytest.raises(ParameterError, match=r"Okänd parameter 'rent\.singel'.*rent\.single"):
        load_params(overrides={"rent.singel": 5_000})


def test_bad_file_names_the_parameter(tmp_path):
    data = yaml.safe_load(default_path().read_text(encoding="utf-8"))
    data["bistand"]["net_share"]["value"] = 1.5
    data["rent"]["couple"]["derived"] = True  # derived without method
    data["bistand"]["unknown"] = 1  # extra="forbid"
    path = tmp_path / "bad.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        load_params(path)
    text = str(err.value)
    assert "parametern bistand.net_share: andelen måste ligga i 0–1, fick 1.5" in text
    assert "parametern rent.couple: ett härlett tal" in text
    assert "parametern bistand.unknown" in text


def test_distribution_on_a_value_the_model_does_not_draw_is_an_error(tmp_path):
    data = yaml.safe_load(default_path().read_text(encoding="utf-8"))
    data["riksnorm"]["years"][2019]["single_adult"]["distribution"] = {
        "kind": "uniform",
        "low": 3_000,
        "high": 3_200,
    }
    path = tmp_path / "dist.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(
        ParameterError, match="riksnorm.years.2019.single_adult: fördelning stöds inte"
    ):
        load_params(path)


def test_scenarios(params):
    assert params.known_scenarios()[:3] == ["baseline", "aktiv_fran_dag_ett", "kvinnor_som_man"]
    assert "hyra_angelholm_2023" in params.known_scenarios()
    assert params.scenario("aktiv_fran_dag_ett").peer_target
    assert params.scenario_defaults.target_quantile.value == 0.9
    assert params.scenario("kvinnor_som_man").women_as_men
    angelholm, scenario = params.with_scenario("hyra_angelholm_2023")
    assert angelholm.rent.single.value == 6_330 and angelholm.rent.single.year == 2023
    assert "Ängelholm" in scenario.description
    with pytest.raises(ParameterError) as err:
        params.scenario("kvinnor_som_män")
    assert "Okänt scenario 'kvinnor_som_män'" in str(err.value)
    assert "baseline, aktiv_fran_dag_ett, kvinnor_som_man" in str(err.value)


def test_custom_scenario_may_not_shadow_a_builtin(tmp_path):
    data = yaml.safe_load(default_path().read_text(encoding="utf-8"))
    data["scenarios"]["baseline"] = {"description": "x"}
    path = tmp_path / "s.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ParameterError, match="parametern scenarios: .*inbyggda"):
        load_params(path)


def test_zero_spread(params):
    flat = params.with_zero_spread()
    for path, record in flat.uncertain():
        assert record.distribution.low == record.distribution.high == record.value, path
    assert {p for p, _ in params.uncertain()} <= set(UNCERTAIN_PATHS)


def test_broken_custom_scenario_fails_at_load(tmp_path):
    data = yaml.safe_load(default_path().read_text(encoding="utf-8"))
    data["scenarios"]["dyr_hyra"] = {"overrides": {"rent.single": -1}}
    path = tmp_path / "s.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ParameterError, match=r"(?s)scenarios\.dyr_hyra.*parametern rent\.single"):
        load_params(path)


def test_barnbidrag_per_year(params):
    # Barnbidrag was 1 050 kr a month per child 2006 – February 2018, 1 250 kr from March 2018.
    income = params.other_income
    for year in range(2014, 2018):
        record = income.per_child_by_year[year]
        assert record.value == 1_050 and not record.derived and "1 050" in record.source
    assert income.per_child.value == 1_250
    assert income.per_child_by_year[2018].value == pytest.approx(
        (2 * 1_050 + 10 * 1_250) / 12, abs=0.01
    )
    for year, per_child in ((2016, 1_050), (2019, 1_250)):
        table = household_table(year, params).set_index("household_type")
        expected = per_child * table["children"] + income.per_household.value
        assert table["other_income_kr"].to_numpy() == pytest.approx(expected.to_numpy())
        assert table.loc["couple_with_children", "children"] > 0


def test_a_drawn_per_child_moves_the_earlier_years_by_the_same_kronor(params):
    draws = Draws.at_values(params)
    base = kind_cost([2016, 2019], params, draws)
    more = draws.with_column("other_income.per_child", draws["other_income.per_child"] + 100)
    shifted = kind_cost([2016, 2019], params, more)
    net = params.bistand.net_share.value
    for ki, adults in enumerate((1, 2)):
        types = {n: t for n, t in params.households.items() if t.adults == adults}
        total = sum(t.share.value for t in types.values())
        children = sum(t.share.value / total * t.n_children for t in types.values())
        assert base[0, ki] - shifted[0, ki] == pytest.approx(np.full(2, 100 * children * net))


def test_per_child_by_year_is_for_the_years_before_per_child(tmp_path):
    data = yaml.safe_load(default_path().read_text(encoding="utf-8"))
    data["other_income"]["per_child_by_year"][2020] = {
        "value": 1_000,
        "year": 2020,
        "derived": False,
        "source": "test source",
    }
    path = tmp_path / "late.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ParameterError, match=r"per_child_by_year.*före per_child \(2018\).*2020"):
        load_params(path)
