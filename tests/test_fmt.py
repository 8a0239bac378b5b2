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


def test_listing():
    assert fmt.listing([]) == ""
    assert fmt.listing(["Riket"]) == "Riket"
    assert fmt.listing(["A", "B"]) == "A och B"
    assert fmt.listing(["A", "B", "C"]) == "A, B och C"
