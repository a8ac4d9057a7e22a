"""Scoring FHIR PHQ-9 responses: the reference examples, stated-total shapes, rejections."""

import json
from pathlib import Path

import pytest

from screening.domain.fhir_score import FhirScoreError, score_resource

REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "fhir"
LOINC = "http://loinc.org"
# clinical.md §1.7, written out independently of the data file.
ITEM_LOINC = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
              "44258-2", "44252-5", "44253-3", "44260-8"]
ANSWER_LOINC = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"

# What each example's .source.txt says about it.
EXPECTED = {
    "mii-QuestionnaireResponse-mii-exa-pro-phq-9-response.json": {
        "id": "mii-exa-pro-phq-9-response", "computed_total": 27, "prorated": False,
        "band": "severe", "band_label": "severe", "item9": {"status": "positive", "value": 3},
        "stated_total": 27, "mismatch": False, "warning": None,
        "difficulty": "Extremely difficult",
    },
    "sdc-questionnaireresponse-sdc-profile-example-PHQ9.2021.json": {
        "id": "questionnaireresponse-sdc-profile-example-PHQ9", "computed_total": 10,
        "prorated": False, "band": "moderate", "band_label": "moderate",
        "item9": {"status": "positive", "value": 1}, "stated_total": 13, "mismatch": True,
        "warning": "stated total 13 does not match 10 computed from the answers",
        "difficulty": None,
    },
    "uscore-QuestionnaireResponse-phq-9-example.json": {
        "id": "phq-9-example", "computed_total": 12, "prorated": False, "band": "moderate",
        "band_label": "moderate", "item9": {"status": "negative", "value": 0},
        "stated_total": 12, "mismatch": False, "warning": None,
        "difficulty": "Somewhat difficult",
    },
}
QUESTIONNAIRES = ["phq9-questionnaire-lhcforms.json", "uscore-Questionnaire-phq-9-example.json"]


def load(name: str) -> dict:
    return json.loads((REFERENCE / name).read_text(encoding="utf-8"))


def coded(link_id: str, code: str, system: str | None = LOINC, **extra) -> dict:
    coding = {"code": code} if system is None else {"system": system, "code": code}
    return {"linkId": link_id, "answer": [{"valueCoding": coding, **extra}]}


def response(values, *extra_items) -> dict:
    items = [coded(f"/{loinc}", ANSWER_LOINC[value])
             for loinc, value in zip(ITEM_LOINC, values, strict=True) if value is not None]
    return {"resourceType": "QuestionnaireResponse", "id": "test", "status": "completed",
            "item": items + list(extra_items)}


def total(answer: dict, link_id: str = "/44261-6") -> dict:
    return {"linkId": link_id, "answer": [answer]}


def only(resource: dict):
    (report,) = score_resource(resource)
    return report


SUM_10 = [0, 0, 0, 1, 2, 1, 3, 2, 1]


# --- The reference examples ----------------------------------------------------------------


def test_every_reference_example_has_an_expectation():
    examples = {path.name for path in REFERENCE.glob("*.json")}
    assert examples == set(EXPECTED) | set(QUESTIONNAIRES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reference_response_scores_as_its_source_says(name):
    assert only(load(name)).to_dict() == EXPECTED[name]


@pytest.mark.parametrize("name", QUESTIONNAIRES)
def test_a_questionnaire_definition_is_refused_clearly(name):
    with pytest.raises(FhirScoreError, match=r"Questionnaire .*form definition"):
        score_resource(load(name))


def test_a_bundle_scores_each_response_and_ignores_other_resources():
    entries = [{"fullUrl": f"urn:uuid:{index}", "resource": load(name)}
               for index, name in enumerate(sorted(EXPECTED) + QUESTIONNAIRES)]
    entries.append({"resource": {"resourceType": "Patient", "id": "p"}})
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    reports = score_resource(bundle)
    assert [report.to_dict() for report in reports] == [EXPECTED[n] for n in sorted(EXPECTED)]


def test_a_bundle_entry_without_id_is_named_by_its_full_url():
    qr = response([1] * 9)
    del qr["id"]
    bundle = {"resourceType": "Bundle", "entry": [{"fullUrl": "urn:uuid:abc", "resource": qr}]}
    assert only(bundle).id == "urn:uuid:abc"


def test_a_bundle_of_questionnaires_has_no_response_to_score():
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": load(name)} for name in QUESTIONNAIRES]}
    with pytest.raises(FhirScoreError, match="no QuestionnaireResponse found"):
        score_resource(bundle)


@pytest.mark.parametrize("resource", [{"resourceType": "Patient"}, {}, [], "text"])
def test_anything_else_is_refused(resource):
    with pytest.raises(FhirScoreError, match="expected a QuestionnaireResponse or a Bundle"):
        score_resource(resource)


# --- Stated totals -------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [
    {"valueDecimal": 13},
    {"valueDecimal": 13.0},
    {"valueInteger": 13},
    {"valueQuantity": {"value": 13, "unit": "{score}"}},
    {"valueString": "13"},
])
def test_a_stated_total_is_read_in_every_shape_and_never_trusted(answer):
    report = only(response(SUM_10, total(answer)))
    assert report.stated_total == 13
    assert report.computed_total == 10
    assert report.mismatch
    assert report.warning == "stated total 13 does not match 10 computed from the answers"


@pytest.mark.parametrize("link_id", ["/44261-6", "44261-6", "PHQ.Score", "PHQ-9.Score", "H1/TS"])
def test_a_matching_total_is_found_under_each_known_link_id(link_id):
    report = only(response(SUM_10, total({"valueInteger": 10}, link_id)))
    assert (report.stated_total, report.mismatch, report.warning) == (10, False, None)


def test_a_total_found_by_its_code_alone():
    item = {"linkId": "score", "code": [{"system": LOINC, "code": "44261-6"}],
            "answer": [{"valueInteger": 10}]}
    assert only(response(SUM_10, item)).stated_total == 10


def test_no_stated_total_is_no_mismatch():
    report = only(response(SUM_10))
    assert (report.stated_total, report.mismatch, report.warning) == (None, False, None)


@pytest.mark.parametrize("answer", [
    {"valueInteger": 28}, {"valueInteger": -1}, {"valueDecimal": 27.5}, {"valueString": "-1"},
])
def test_a_stated_total_outside_the_scale_is_refused(answer):
    with pytest.raises(FhirScoreError, match="outside 0-27"):
        score_resource(response(SUM_10, total(answer)))


@pytest.mark.parametrize("answer", [
    {"valueString": "thirteen"}, {"valueBoolean": True}, {"valueQuantity": {"unit": "{score}"}},
])
def test_a_stated_total_that_is_not_a_number_is_refused(answer):
    with pytest.raises(FhirScoreError, match=r"stated total .* is not a number"):
        score_resource(response(SUM_10, total(answer)))


# --- Items and answers ---------------------------------------------------------------------


def test_an_unknown_answer_code_is_refused():
    qr = response([0] * 9)
    qr["item"][0] = coded("/44250-9", "LA9999-9")
    with pytest.raises(FhirScoreError, match="unknown answer code LA9999-9 for item 44250-9"):
        score_resource(qr)


def test_an_error_names_the_response():
    qr = response([0] * 9)
    qr["item"][0] = coded("/44250-9", "LA9999-9")
    bundle = {"resourceType": "Bundle", "entry": [{"resource": response(SUM_10)},
                                                  {"resource": {**qr, "id": "second"}}]}
    with pytest.raises(FhirScoreError, match=r"^QuestionnaireResponse second: unknown answer"):
        score_resource(bundle)


def test_a_known_code_from_another_system_is_refused():
    qr = response([0] * 9)
    qr["item"][0] = coded("/44250-9", "LA6568-5", system="http://snomed.info/sct")
    with pytest.raises(FhirScoreError, match=r"code LA6568-5 \(system http://snomed"):
        score_resource(qr)


def test_an_unknown_difficulty_code_is_refused():
    qr = response([1] * 9, coded("/69722-7", "LA6568-5"))
    with pytest.raises(FhirScoreError, match="unknown answer code LA6568-5 for item 69722-7"):
        score_resource(qr)


def test_a_link_id_that_matches_no_phq9_item_is_refused():
    qr = response([0] * 9, coded("/69725-0", "LA6568-5"))
    with pytest.raises(FhirScoreError, match="'/69725-0' matches no PHQ-9 item"):
        score_resource(qr)


def test_groups_and_unanswered_display_items_are_walked_past():
    qr = response([None] * 9)
    inner = {"linkId": "inner", "item": response(SUM_10)["item"]}
    qr["item"] = [{"linkId": "intro", "text": "Over the last 2 weeks"},
                  {"linkId": "group", "item": [inner]}]
    assert only(qr).computed_total == 10


def test_items_nested_under_an_answer_are_found():
    qr = response([None] * 9)
    qr["item"] = [{"linkId": "/44250-9", "answer": [{
        "valueCoding": {"system": LOINC, "code": "LA6571-9"},
        "item": response([None, *SUM_10[1:]])["item"],
    }]}]
    assert only(qr).computed_total == 10 + 3


def test_an_item_given_twice_is_refused():
    qr = response(SUM_10, coded("PHQ.1", "LA6568-5", system=None))
    with pytest.raises(FhirScoreError, match="item 44250-9 appears more than once"):
        score_resource(qr)


def test_an_item_with_two_answers_is_refused():
    qr = response(SUM_10)
    qr["item"][0]["answer"] *= 2
    with pytest.raises(FhirScoreError, match="item 44250-9 has 2 answers"):
        score_resource(qr)


@pytest.mark.parametrize("link_id", ["{loinc}", "/{loinc}", "/44249-1/{loinc}", "PHQ.{n}",
                                     "PHQ-9.{n}", "H1/T1/Q{n}"])
def test_items_are_found_by_each_known_link_id(link_id):
    qr = response([None] * 9)
    qr["item"] = [coded(link_id.format(loinc=loinc, n=n), ANSWER_LOINC[value])
                  for n, (loinc, value) in enumerate(zip(ITEM_LOINC, SUM_10, strict=True), 1)]
    assert only(qr).computed_total == 10


def test_items_are_found_by_loinc_code_when_the_link_id_is_local():
    qr = response([None] * 9)
    qr["item"] = [{"linkId": f"q{n}", "code": [{"system": LOINC, "code": loinc}],
                   "answer": [{"valueCoding": {"system": LOINC, "code": ANSWER_LOINC[value]}}]}
                  for n, (loinc, value) in enumerate(zip(ITEM_LOINC, SUM_10, strict=True), 1)]
    assert only(qr).computed_total == 10


def test_sdc_codes_are_read_with_or_without_their_system():
    codes = ["Not-at-all", "Several-days", "More than half the days", "Nearly every day"]
    system = "http://hl7.org/fhir/uv/sdc/CodeSystem/CSPHQ9"
    qr = response([None] * 9)
    qr["item"] = [coded(f"H1/T1/Q{n}", codes[value], system=system if n % 2 else None)
                  for n, value in enumerate(SUM_10, 1)]
    assert only(qr).computed_total == 10


@pytest.mark.parametrize("url", [ORDINAL_VALUE, ITEM_WEIGHT])
@pytest.mark.parametrize("on_coding", [True, False])
def test_a_local_code_is_scored_by_its_weight_extension(url, on_coding):
    qr = response([None] * 9)
    qr["item"] = []
    for loinc, value in zip(ITEM_LOINC, SUM_10, strict=True):
        extension = [{"url": url, "valueDecimal": float(value)}]
        item = coded(f"/{loinc}", f"local-{value}", system="urn:local")
        target = item["answer"][0]["valueCoding"] if on_coding else item["answer"][0]
        target["extension"] = extension
        qr["item"].append(item)
    assert only(qr).computed_total == 10


def test_a_weight_that_contradicts_the_code_is_refused():
    qr = response(SUM_10)
    qr["item"][0]["answer"][0]["valueCoding"]["extension"] = [
        {"url": ORDINAL_VALUE, "valueDecimal": 3}]
    with pytest.raises(FhirScoreError, match="carries weight 3, but the code means 0"):
        score_resource(qr)


def test_plain_numbers_0_to_3_are_answers():
    qr = response([None] * 9)
    qr["item"] = [{"linkId": f"/{loinc}", "answer": [{"valueInteger": value}]}
                  for loinc, value in zip(ITEM_LOINC, SUM_10, strict=True)]
    qr["item"][0]["answer"] = [{"valueDecimal": 0.0}]
    assert only(qr).computed_total == 10


@pytest.mark.parametrize("answer", [{"valueInteger": 4}, {"valueDecimal": 1.5},
                                    {"valueInteger": -1}, {"valueBoolean": True}])
def test_other_plain_answers_are_refused(answer):
    qr = response(SUM_10)
    qr["item"][0]["answer"] = [answer]
    with pytest.raises(FhirScoreError, match="item 44250-9"):
        score_resource(qr)


# --- Missing items (DESIGN.md §3) ----------------------------------------------------------


def test_missing_item_9_means_unanswered_and_no_total():
    report = only(response([*SUM_10[:8], None]))
    assert report.item9.status == "unanswered"
    assert report.item9.value is None
    assert (report.computed_total, report.band, report.band_label) == (None, None, None)
    assert "safety item unanswered" in report.warning


def test_missing_item_9_with_a_stated_total_is_a_mismatch():
    report = only(response([*SUM_10[:8], None], total({"valueInteger": 9})))
    assert report.mismatch
    assert "stated total 9 cannot be checked" in report.warning


def test_an_unanswered_item_9_without_answer_element_counts_as_missing():
    qr = response(SUM_10)
    qr["item"][8] = {"linkId": "/44260-8", "text": "Thoughts that you would be better off dead"}
    assert only(qr).item9.status == "unanswered"


@pytest.mark.parametrize(("values", "expected"), [
    ([None, 0, 0, 1, 2, 1, 3, 2, 1], round(10 / 8 * 9)),
    ([3, 3, None, 3, 3, 3, 3, 3, 3], 27),
    ([1, None, None, 1, 1, 1, 1, 1, 1], 9),
])
def test_one_or_two_missing_of_items_1_to_8_are_prorated(values, expected):
    report = only(response(values, total({"valueInteger": expected})))
    assert (report.computed_total, report.prorated, report.mismatch) == (expected, True, False)
    assert "prorated" in report.warning


def test_three_missing_items_give_no_total():
    report = only(response([None, None, None, 1, 1, 1, 1, 1, 1]))
    assert report.computed_total is None
    assert not report.prorated
    assert report.item9.status == "positive"
    assert "too many items unanswered" in report.warning


def test_a_response_not_completed_is_flagged():
    qr = response(SUM_10)
    qr["status"] = "entered-in-error"
    assert only(qr).warning == "response status is entered-in-error"


def test_the_report_is_a_plain_json_dict():
    report = only(load("uscore-QuestionnaireResponse-phq-9-example.json"))
    assert json.loads(json.dumps(report.to_dict())) == report.to_dict()
    with pytest.raises(AttributeError):
        report.computed_total = 0
