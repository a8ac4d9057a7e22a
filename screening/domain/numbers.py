"""Reading a number the patient typed: "37,5", "37.5", " 100 ", "100 mg".

Pure and strict: an exponent, NaN, Infinity, a sign, a thousands separator or more than a few
digits is refused, so what is stored is always a short plain decimal. The web layer shows its own
translated message for each refusal.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

MAX_LENGTH = 24  # longer input is refused before any pattern is tried
MAX_WHOLE_DIGITS = 6
MAX_DECIMAL_DIGITS = 2

_NUMBER = re.compile(
    rf"(?P<whole>[0-9]{{1,{MAX_WHOLE_DIGITS}}})(?:[.,](?P<fraction>[0-9]{{1,{MAX_DECIMAL_DIGITS}}}))?"
    r"\s*(?P<unit>[^\W\d]+\.?)?",
    re.ASCII | re.IGNORECASE,
)

EMPTY = "empty"
NOT_A_NUMBER = "not_a_number"
NOT_WHOLE = "not_whole"
WRONG_UNIT = "wrong_unit"


@dataclass(frozen=True)
class Reading:
    """A number read from text: `value` when it could be read, else the `problem`."""

    value: Decimal | None
    problem: str | None = None

    @property
    def text(self) -> str:
        """The value as it is stored: plain digits, "." before any decimals, no trailing zeros."""
        if self.value is None:
            return ""
        return format(self.value.normalize(), "f")


def read_number(text: str, *, whole: bool = False, units: tuple[str, ...] = ()) -> Reading:
    """The number in `text`, or why it cannot be read.

    `units` are the words that may follow the number ("mg"); any other word is refused.
    `whole` refuses decimals ("8,5" weeks).
    """
    text = text.strip()
    if not text:
        return Reading(None, EMPTY)
    if len(text) > MAX_LENGTH:
        return Reading(None, NOT_A_NUMBER)
    match = _NUMBER.fullmatch(text)
    if match is None:
        return Reading(None, NOT_A_NUMBER)
    unit = (match["unit"] or "").rstrip(".").casefold()
    if unit and unit not in units:
        return Reading(None, WRONG_UNIT)
    fraction = match["fraction"] or ""
    if whole and fraction.strip("0"):
        return Reading(None, NOT_WHOLE)
    value = Decimal(f"{match['whole']}.{fraction or '0'}")
    return Reading(value)
