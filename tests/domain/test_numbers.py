"""What the patient may type as a dose or a number of weeks, and what is refused."""

from decimal import Decimal

import pytest

from screening.domain.numbers import EMPTY, NOT_A_NUMBER, NOT_WHOLE, WRONG_UNIT, read_number

READ = [
    ("37,5", "37.5"), ("37.5", "37.5"), (" 100 ", "100"), ("100 mg", "100"), ("100mg", "100"),
    ("100 MG", "100"), ("100 mg.", "100"), ("0", "0"), ("0,25", "0.25"), ("150.00", "150"),
    ("007", "7"), ("225", "225"),
]
REFUSED = [
    ("", EMPTY), ("   ", EMPTY), ("1E-999990", NOT_A_NUMBER), ("1e3", NOT_A_NUMBER),
    ("1E+999999999", NOT_A_NUMBER), ("NaN", NOT_A_NUMBER), ("sNaN", NOT_A_NUMBER),
    ("-sNaN", NOT_A_NUMBER), ("Infinity", NOT_A_NUMBER), ("inf", NOT_A_NUMBER),
    ("-5", NOT_A_NUMBER), ("+5", NOT_A_NUMBER), ("1,000.5", NOT_A_NUMBER), ("1 000", NOT_A_NUMBER),
    ("1234567", NOT_A_NUMBER), ("1" * 1_000_000, NOT_A_NUMBER), ("37,555", NOT_A_NUMBER),
    ("٣٧", NOT_A_NUMBER), ("½", NOT_A_NUMBER), ("mg", NOT_A_NUMBER), ("100 g", WRONG_UNIT),
    ("100 pills", WRONG_UNIT), ("0x10", NOT_A_NUMBER), ("12abc", WRONG_UNIT),
]


@pytest.mark.parametrize(("typed", "stored"), READ)
def test_plain_numbers_are_read_with_a_comma_or_a_point_and_an_optional_unit(typed, stored):
    reading = read_number(typed, units=("mg",))
    assert reading.problem is None
    assert reading.text == stored
    assert reading.value == Decimal(stored)


@pytest.mark.parametrize(("typed", "problem"), REFUSED)
def test_anything_else_is_refused_with_its_reason(typed, problem):
    reading = read_number(typed, units=("mg",))
    assert (reading.value, reading.problem) == (None, problem)
    assert reading.text == ""


def test_a_unit_is_refused_where_none_is_expected_and_decimals_where_a_whole_number_is():
    assert read_number("8 mg").problem == WRONG_UNIT
    assert read_number("8,5", whole=True).problem == NOT_WHOLE
    assert read_number("8,0", whole=True).text == "8"
    assert read_number("8 weeks", whole=True, units=("weeks", "semanas")).text == "8"
