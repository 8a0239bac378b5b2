"""Numbers and lists as a Swedish report writes them."""

import math

from etablering.core import fmt


def test_numbers_use_space_thousands_and_decimal_comma():
    assert fmt.number(44216) == "44\u00a0216"
    assert fmt.number(3.468, 1) == "3,5"
    assert fmt.percent(96.4) == "96\u00a0%"
    assert fmt.times(2.4824) == "2,5 gånger"


def test_missing_is_said_not_zero():
    assert fmt.number(None) == fmt.number(math.nan) == fmt.percent(None) == "uppgift saknas"


def test_years_name_a_range_only_without_gaps():
    assert fmt.years([]) == "uppgift saknas"
    assert fmt.years([2018]) == "2018"
    assert fmt.years(range(2016, 2023)) == "2016–2022"
    # Ydre's pooled years: "2015–2020" would claim the three years between
    assert fmt.years([2020, 2015, 2019]) == "2015, 2019 och 2020"
    # a län whose sum lacks 2021: not eight years one by one
    assert fmt.years([*range(2014, 2021), 2022]) == "2014–2020 och 2022"
    assert fmt.years([2015, 2016, 2017, 2019, 2020, 2021]) == "2015–2017 och 2019–2021"


def test_listing():
    assert fmt.listing([]) == ""
    assert fmt.listing(["Riket"]) == "Riket"
    assert fmt.listing(["A", "B"]) == "A och B"
    assert fmt.listing(["A", "B", "C"]) == "A, B och C"


def test_apart_shows_the_decimals_that_keep_two_values_apart():
    assert fmt.apart(1.7541, 1.7491) == ("1,754", "1,749")  # both '1,75' at two decimals
    assert fmt.apart(1.68, 1.66) == ("1,68", "1,66")
    assert fmt.apart(2.0, 2.0) == ("2,00", "2,00")  # equal: the usual two decimals
    assert fmt.apart(None, 1.5) == ("uppgift saknas", "1,50")
