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
