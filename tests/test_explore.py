import pytest

from etablering.reports import explore


def test_per_1000_for_all_kommuner(processed):
    frame = explore.measure_table("per_1000", 2022, processed).set_index("kommun_code")
    assert len(frame) == 290
    # Kolada N01986 2022 over SCB's population of 31 December 2022
    assert frame.loc["0680", "value"] == pytest.approx(241 / 145_114 * 1000)
    assert frame.loc["0680", "population_year"] == 2022
    files = explore.measure_table("uppfyllelse_pct", 2018, processed).set_index("kommun_code")
    assert files.loc["0680", "value"] == pytest.approx(100)  # 199 received of kommuntal 199
    assert explore.measure_table("uppfyllelse_pct", 2022, processed)["value"].isna().all()


def test_outcome_measure_uses_latest_real_year(processed):
    frame = explore.measure_table("women_pct", 2022, processed).set_index("kommun_code")
    assert frame.loc["2580", "value"] == 28 and frame.loc["2580", "year"] == 2024  # Luleå's table
    assert frame.loc["0680", "value"] == pytest.approx(100 * 33 / 77)  # Kolada 2022
    assert frame.loc["0680", "year"] == 2022


def test_compare_sorts_and_keeps_missing_last(processed):
    frame = explore.measure_table("uppfyllelse_pct", 2018, processed)
    out = explore.compare(frame, ["0181", "0680", "2580"])  # Södertälje is not in the file
    assert list(out.index) == ["Jönköping", "Luleå", "Södertälje"]
    assert out["value"].isna().tolist() == [False, False, True]


def test_unknown_measure(processed):
    with pytest.raises(KeyError, match="okänt mått"):
        explore.measure_table("antal_kor", 2018, processed)


def test_comparison_html_names_the_population_year(processed):
    frame = explore.measure_table("per_1000", 2018, processed)
    out = explore.comparison_html(frame, ["0680", "0684"], "per_1000", 2018, "06")
    assert out.count("data:image/png;base64") == 1 and "Jönköping" in out
    assert "folkmängd 31 december 2018" in out  # the year's own, no stand-in any more


def test_comparison_html_shows_missing_values_as_missing_with_the_year(processed):
    frame = explore.measure_table("women_pct", 2022, processed)
    out = explore.comparison_html(frame, ["0680", "2580"], "women_pct", 2022, "25")
    assert "<th>År</th>" in out and "<td>2024</td>" in out and "<td>2022</td>" in out
    files = explore.measure_table("uppfyllelse_pct", 2018, processed)
    out = explore.comparison_html(files, ["0181", "0680"], "uppfyllelse_pct", 2018)
    assert "uppgift saknas" in out
    assert explore.comparison_html(frame, [], "women_pct", 2018) == "<p>Välj minst en kommun.</p>"


def test_explorer_widgets_follow_the_pickers(processed, registry):
    ex = explore.Explorer(registry, "06", "per_1000", 2018, processed)
    assert len(ex.kommuner.value) == 13 and "Jönköping" in ex.result.value
    ex.lan.value = "25"
    assert "Luleå" in ex.result.value and "Jönköping" not in ex.result.value
    ex.measure.value = "women_pct"
    assert "<td>2024</td>" in ex.result.value  # Luleå's own table, the latest year
    ex.kommuner.value = ()
    assert ex.result.value == "<p>Välj minst en kommun.</p>"


def test_explorer_rejects_an_unknown_measure(processed, registry):
    from etablering.core.errors import ParameterError

    with pytest.raises(ParameterError, match="parametern measure"):
        explore.Explorer(registry, "06", "antal_kor", 2018, processed)
