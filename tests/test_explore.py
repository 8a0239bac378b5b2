import pytest

from etablering import explore


def test_per_1000_for_all_kommuner(processed):
    frame = explore.measure_table("per_1000", 2018, processed).set_index("kommun_code")
    assert len(frame) == 290
    assert frame.loc["0680", "value"] == pytest.approx(494 / 142_427 * 1000)


def test_outcome_measure_uses_latest_real_year(processed):
    frame = explore.measure_table("women_pct", 2018, processed).set_index("kommun_code")
    assert frame.loc["2580", "value"] == 28 and frame.loc["2580", "year"] == 2024
    assert frame["value"].notna().sum() == 1  # only Luleå offline; the rest is missing, not 0


def test_compare_sorts_and_keeps_missing_last(processed):
    frame = explore.measure_table("women_pct", 2018, processed)
    out = explore.compare(frame, ["0680", "2580"])
    assert list(out.index) == ["Luleå", "Jönköping"]


def test_unknown_measure(processed):
    with pytest.raises(KeyError, match="okänt mått"):
        explore.measure_table("antal_kor", 2018, processed)


def test_comparison_html_names_the_stand_in_population_year(processed):
    frame = explore.measure_table("per_1000", 2018, processed)
    out = explore.comparison_html(frame, ["0680", "0684"], "per_1000", 2018, "06")
    assert out.count("data:image/png;base64") == 1 and "Jönköping" in out
    assert "folkmängd SCB 2020 (närmaste år – 2018 saknas i underlaget)" in out


def test_comparison_html_shows_missing_outcomes_as_missing_with_the_year(processed):
    frame = explore.measure_table("women_pct", 2018, processed)
    out = explore.comparison_html(frame, ["0680", "2580"], "women_pct", 2018, "25")
    assert "uppgift saknas" in out and "<th>År</th>" in out and "<td>2024</td>" in out
    assert explore.comparison_html(frame, [], "women_pct", 2018) == "<p>Välj minst en kommun.</p>"


def test_explorer_widgets_follow_the_pickers(processed, registry):
    ex = explore.Explorer(registry, "06", "per_1000", 2018, processed)
    assert len(ex.kommuner.value) == 13 and "Jönköping" in ex.result.value
    ex.lan.value = "25"
    assert "Luleå" in ex.result.value and "Jönköping" not in ex.result.value
    ex.measure.value = "women_pct"
    assert "uppgift saknas" in ex.result.value and "<td>2024</td>" in ex.result.value
    ex.kommuner.value = ()
    assert ex.result.value == "<p>Välj minst en kommun.</p>"


def test_explorer_rejects_an_unknown_measure(processed, registry):
    from etablering.errors import ParameterError

    with pytest.raises(ParameterError, match="parametern measure"):
        explore.Explorer(registry, "06", "antal_kor", 2018, processed)
