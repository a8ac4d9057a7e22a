"""What the fuzz tests draw from: every field name the app reads, and URLs for any route."""

import re
from urllib.parse import quote

from hypothesis import strategies as st

from screening.domain import flow

FIELD_NAMES = sorted({q for step in flow.steps() for q in step.questions} | {
    "csrf_token", "x", "username", "password", "code", "language", "next", "medicine"})
# Values that broke number parsing once (sNaN gave a 500; 1E-999990 was stored as a million
# characters), and their relatives: every POST route must answer them with less than a 500.
NASTY_VALUES = ["sNaN", "-sNaN", "NaN", "-NaN", "Infinity", "-Infinity", "inf", "1E+999999999",
                "1E-999990", "1e309", "-0", "0x1F", "9" * 3000, "37,5", "100 mg", "1,000.5",
                "١٢", "½", "\x00", "", " ", "-1", "2099", "none", "other"]
FIELD_VALUES = st.one_of(st.text(max_size=40), st.sampled_from(NASTY_VALUES),
                         st.lists(st.sampled_from(NASTY_VALUES), max_size=3))
URL_PARTS = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF,
                                           exclude_characters="/?#%"), min_size=1, max_size=20)


def fill_rule(rule, draw) -> str:
    """A URL for the rule with drawn values in its variables (numbers, ids, junk)."""
    url = rule.rule
    for argument in rule.arguments:
        if rule._converters[argument].__class__.__name__ == "IntegerConverter":
            value = str(draw(st.integers(min_value=0, max_value=60)))
        else:
            value = draw(URL_PARTS)
        url = re.sub(rf"<[^>]*{argument}>", lambda _match, v=value: quote(v, safe=""), url)
    return url
