"""ASQ categories (NIMH): negative, non-acute positive, acute positive."""

import pytest

from screening.domain import asq


def answers(q1="no", q2="no", q3="no", q4="no", q5=None):
    given = {"asq_1": q1, "asq_2": q2, "asq_3": q3, "asq_4": q4}
    return given | ({"asq_5": q5} if q5 else {})


@pytest.mark.parametrize(("given", "category"), [
    ({}, asq.NOT_ASKED),
    (answers(), asq.NEGATIVE),
    (answers(q1="yes", q5="no"), asq.NON_ACUTE_POSITIVE),
    (answers(q2="yes", q5="no"), asq.NON_ACUTE_POSITIVE),
    (answers(q3="yes", q5="no"), asq.NON_ACUTE_POSITIVE),
    (answers(q4="yes", q5="no"), asq.NON_ACUTE_POSITIVE),
    (answers(q4="yes", q5="yes"), asq.ACUTE_POSITIVE),
    (answers(q1="yes"), asq.NON_ACUTE_POSITIVE),
    # The acuity item only counts after a positive screen.
    (answers(q5="yes"), asq.NEGATIVE),
])
def test_categories(given, category):
    result = asq.categorise(given)
    assert result.category == category
    assert result.positive == (category in (asq.NON_ACUTE_POSITIVE, asq.ACUTE_POSITIVE))
    assert result.acute == (category == asq.ACUTE_POSITIVE)


def test_positive_result_keeps_answers_verbatim():
    result = asq.categorise(answers(q1="yes", q5="yes"))
    texts = [text for _, text, _ in result.answers]
    assert "In the past few weeks, have you wished you were dead?" in texts
    assert "Are you having thoughts of killing yourself right now?" in texts
