"""Riksnormen from parameters/forsorjningsstod.yml against the published tables (domain.md B.1)."""

import pytest

from etablering.analysis.kefu import household_norm, year_status
from etablering.analysis.kefu.riksnorm import NormStatus, gemensamma
from etablering.core.errors import ParameterError


def test_2019_single_adult(params):
    # Socialstyrelsen 2019: ensamstående 3 090 + gemensamma 1 person 990
    assert household_norm(2019, 1, [], params) == 3_090 + 990 == 4_080


def test_2019_couple_with_two_children(params):
    # sambor 5 570 + barn 4–6 år 2 380 + barn 7–10 år 2 990 + gemensamma 4 personer 1 570
    assert household_norm(2019, 2, [5, 8], params) == 5_570 + 2_380 + 2_990 + 1_570 == 12_510


def test_2017_and_2023_single_adult(params):
    assert household_norm(2017, 1, [], params) == 2_980 + 950
    assert household_norm(2023, 1, [], params) == 3_490 + 1_130


def test_age_bands_follow_the_published_2019_table(params):
    published = {0: 2_130, 2: 2_380, 3: 2_120, 6: 2_380, 10: 2_990, 14: 3_440, 18: 3_880, 20: 3_910}
    for age, amount in published.items():
        # a single parent with one child: ensamstående + child + gemensamma 2 personer (1 100)
        assert household_norm(2019, 1, [age], params) == 3_090 + amount + 1_100


def test_more_than_seven_persons_adds_the_six_to_seven_difference(params):
    # 2019: gem. 6 = 2 050, gem. 7 = 2 220 -> 170 kr per extra person (Socialstyrelsen's rule)
    row = params.riksnorm.years[2019]
    assert gemensamma(row, 7) == 2_220
    assert gemensamma(row, 9) == 2_220 + 2 * 170
    assert params.riksnorm.extra_person_over_7.value == 170
    eight = household_norm(2019, 2, [1, 4, 7, 8, 12, 16], params)
    assert eight == 5_570 + 2_380 + 2_380 + 2_990 + 2_990 + 3_440 + 3_880 + 2_220 + 170


def test_published_and_derived_years_are_labelled(params):
    assert year_status(2019, params) == NormStatus.PUBLISHED
    assert year_status(2014, params) == NormStatus.PUBLISHED
    assert year_status(2018, params) == NormStatus.DERIVED
    assert year_status(2021, params) == NormStatus.PUBLISHED  # SFS 2020:1013
    assert year_status(2023, params) == NormStatus.PUBLISHED  # Ängelholm's item-level copy
    assert year_status(2026, params) == NormStatus.DERIVED  # only the totals are published
    assert year_status(2029, params) == NormStatus.INDEXED  # beyond the table (2026)


def test_derived_years_match_domain_md(params):
    years = params.riksnorm.years
    # domain.md B.1 (derived): 2018 ≈ 3 030/5 460/970/1 080; 2020 ≈ 3 150/5 680/1 010; 2024 ≈ 3 790/6 850/1 230
    assert [years[2018].single_adult.value, years[2018].couple.value] == [3_030, 5_460]
    assert [years[2018].gemensamma[1].value, years[2018].gemensamma[2].value] == [970, 1_080]
    assert [years[2020].single_adult.value, years[2020].couple.value] == [3_150, 5_680]
    assert years[2024].single_adult.value == 3_790 and years[2024].gemensamma[1].value == 1_230
    # 2026 is calibrated to the published totals: 5 220 (ensamstående) and 8 510 (sambor)
    assert household_norm(2026, 1, [], params) == 5_220
    assert household_norm(2026, 2, [], params) == 8_510
    assert all(years[2018].children[b].derived for b in years[2018].children)
    assert not any(years[2019].children[b].derived for b in years[2019].children)


def test_indexation_beyond_the_table(params):
    last = household_norm(2026, 1, [], params)
    rate = params.riksnorm.indexation_rate.value
    assert household_norm(2028, 1, [], params) == pytest.approx(last * (1 + rate) ** 2)
    assert household_norm(2031, 1, [], params) == pytest.approx(last * (1 + rate) ** 5)


def test_years_outside_the_table_are_errors(params):
    with pytest.raises(ParameterError, match=r"2040.*riksnorm\.years.*riksnorm\.max_years_beyond"):
        household_norm(2040, 1, [], params)
    with pytest.raises(ParameterError, match="riksnorm.years"):
        household_norm(2010, 1, [], params)
    with pytest.raises(ParameterError, match="children_ages"):
        household_norm(2019, 1, [25], params)
