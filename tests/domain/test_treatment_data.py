"""The treatment-history data files, checked against shared/reference/clinical.md §3 and §4."""

import copy
import re
from pathlib import Path

import pytest

from screening.domain.data_files import load_toml
from screening.domain.maudsley_scale import load_maudsley_scale, parse_scale
from screening.domain.medicines import load_formulary, parse_formulary
from screening.domain.resistance_rules import load_rules, parse_rules
from screening.domain.review_flags import load_questions

CLINICAL_MD = Path(__file__).parents[1] / "reference" / "clinical.md"

# clinical.md §3.6 "Minimum therapeutic doses", lowest commonly cited dose in mg/day.
REFERENCE_DOSES = {
    "citalopram": 20,
    "escitalopram": 10,
    "fluoxetine": 20,
    "paroxetine": 20,
    "sertraline": 50,
    "venlafaxine": 75,
    "duloxetine": 60,
    "bupropion": 150,
    "mirtazapine": 15,
}
# Rows of that table whose Note column holds a conflict or an UNVERIFIED mark.
REFERENCE_NOTES = {"venlafaxine", "bupropion", "mirtazapine"}

# Every class and medicine named in the issue.
REFERENCE_CLASSES = {
    "ssri": {"citalopram", "escitalopram", "fluoxetine", "paroxetine", "sertraline", "fluvoxamine"},
    "snri": {"venlafaxine", "desvenlafaxine", "duloxetine", "levomilnacipran"},
    "bupropion": {"bupropion"},
    "mirtazapine": {"mirtazapine"},
    "other_modern": {"trazodone", "vortioxetine", "vilazodone"},
    "tricyclic": {
        "amitriptyline",
        "nortriptyline",
        "imipramine",
        "clomipramine",
        "desipramine",
        "doxepin",
    },
    "maoi": {"phenelzine", "tranylcypromine", "isocarboxazid", "selegiline_patch"},
}
REFERENCE_BRANDS = {
    "citalopram": "Celexa",
    "escitalopram": "Lexapro",
    "fluoxetine": "Prozac",
    "paroxetine": "Paxil",
    "sertraline": "Zoloft",
    "fluvoxamine": "Luvox",
    "venlafaxine": "Effexor XR",
    "desvenlafaxine": "Pristiq",
    "duloxetine": "Cymbalta",
    "levomilnacipran": "Fetzima",
    "bupropion": "Wellbutrin",
    "mirtazapine": "Remeron",
    "trazodone": "Desyrel",
    "vortioxetine": "Trintellix",
    "vilazodone": "Viibryd",
    "nortriptyline": "Pamelor",
    "imipramine": "Tofranil",
    "clomipramine": "Anafranil",
    "desipramine": "Norpramin",
    "phenelzine": "Nardil",
    "tranylcypromine": "Parnate",
    "isocarboxazid": "Marplan",
    "selegiline_patch": "Emsam",
}

# DESIGN.md §3 review topics, and the three esketamine label contraindications (clinical.md §4.1).
REVIEW_TOPICS = {
    "aneurysm_avm",
    "brain_bleed",
    "ketamine_allergy",
    "high_blood_pressure",
    "heart_disease",
    "stroke",
    "psychosis",
    "bipolar",
    "substance_use",
    "pregnancy",
    "interacting_medicines",
    "bladder",
    "liver",
    "sleep_apnoea_lung",
    "seizures",
    "ride_home",
}
LABEL_CONTRAINDICATIONS = {"aneurysm_avm", "brain_bleed", "ketamine_allergy"}

DIAGNOSTIC_PHRASES = (
    "you have",
    "you've got",
    "diagnosed with",
    "diagnosis of",
    "you are depressed",
    "you suffer",
    "not eligible",
    "ineligible",
    "you qualify",
    "disqualif",
)
THRESHOLDS = (
    "definition",
    "min_weeks",
    "adequate_adherence",
    "nonresponse_below_percent",
    "strict_nonresponse_at_or_below_percent",
    "min_different_antidepressants",
)


def diagnostic_phrases(text: str) -> list[str]:
    return [phrase for phrase in DIAGNOSTIC_PHRASES if phrase in text.lower()]


def test_the_diagnostic_phrase_check_catches_diagnostic_wording():
    assert diagnostic_phrases("Have you been Diagnosed with bipolar disorder?") == [
        "diagnosed with"
    ]
    assert diagnostic_phrases("Do you have high blood pressure?") == ["you have"]
    assert diagnostic_phrases("Has a doctor ever talked with you about mania?") == []


# --- resistance_rules.toml ---------------------------------------------------------------------


def test_thresholds_match_the_decided_rule():
    rules = load_rules()
    assert rules.min_weeks.value == 6
    assert rules.adequate_adherence.value == ("all", "most")
    assert rules.nonresponse_below_percent.value == 50
    assert rules.strict_nonresponse_at_or_below_percent.value == 25
    assert rules.min_different_antidepressants.value == 2


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_every_threshold_has_a_source(threshold):
    assert getattr(load_rules(), threshold).source.strip()


def test_dose_table_equals_clinical_md_3_6():
    doses = {dose.medicine_id: dose.min_mg_per_day for dose in load_rules().doses}
    assert doses == REFERENCE_DOSES


def test_hard_coded_dose_table_still_matches_the_reference_text():
    section = CLINICAL_MD.read_text(encoding="utf-8").split("### 3.6")[1].split("### 3.7")[0]
    rows = re.findall(r"^\| ([A-Z][a-z]+)[^|]* \| (\d+) mg", section, flags=re.MULTILINE)
    assert {drug.lower(): int(mg) for drug, mg in rows} == REFERENCE_DOSES


@pytest.mark.parametrize("medicine_id", sorted(REFERENCE_DOSES))
def test_every_dose_row_has_a_source_and_the_reference_note(medicine_id):
    dose = load_rules().dose_minimum(medicine_id)
    assert dose is not None
    assert "§3.6" in dose.source
    assert ("UNVERIFIED" in dose.note) is (medicine_id in REFERENCE_NOTES)


def test_every_dose_row_names_a_listed_medicine():
    listed = {medicine.id for medicine in load_formulary().medicines}
    assert {dose.medicine_id for dose in load_rules().doses} <= listed


def test_response_bands_cover_the_patient_answers():
    rules = load_rules()
    below = rules.nonresponse_below_percent.value
    strict = rules.strict_nonresponse_at_or_below_percent.value
    bands = {band.id: band.max_percent for band in rules.response_bands}
    assert set(bands) == {"none", "little", "somewhat", "lot", "worse"}
    assert {b for b, top in bands.items() if top < below} == {"none", "little", "somewhat", "worse"}
    assert {b for b, top in bands.items() if top <= strict} == {"none", "little", "worse"}
    assert rules.response_bands_source.strip()


@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("missing", ["source", "value", "table"])
def test_rules_without_a_threshold_or_its_source_are_refused(threshold, missing):
    data = copy.deepcopy(load_toml("resistance_rules"))
    if missing == "table":
        del data[threshold]
    else:
        del data[threshold][missing]
    with pytest.raises(ValueError, match=threshold if missing == "table" else missing):
        parse_rules(data)


@pytest.mark.parametrize("field", ["source", "min_mg_per_day"])
def test_dose_rows_without_a_source_or_minimum_are_refused(field):
    data = copy.deepcopy(load_toml("resistance_rules"))
    del data["doses"]["sertraline"][field]
    with pytest.raises(ValueError, match=rf"doses\.sertraline.*{field}"):
        parse_rules(data)


def test_a_zero_dose_minimum_is_refused():
    data = copy.deepcopy(load_toml("resistance_rules"))
    data["doses"]["sertraline"]["min_mg_per_day"] = 0
    with pytest.raises(ValueError, match="greater than 0"):
        parse_rules(data)


# --- medicines.toml ----------------------------------------------------------------------------


@pytest.mark.parametrize("class_id", sorted(REFERENCE_CLASSES))
def test_every_class_named_in_the_issue_is_listed(class_id):
    formulary = load_formulary()
    assert class_id in {c.id for c in formulary.classes}
    assert {m.id for m in formulary.in_class(class_id)} == REFERENCE_CLASSES[class_id]


@pytest.mark.parametrize(("medicine_id", "brand"), sorted(REFERENCE_BRANDS.items()))
def test_generic_brand_pairs(medicine_id, brand):
    medicine = load_formulary().medicine(medicine_id)
    assert medicine is not None
    assert brand in medicine.brands


def test_display_names():
    formulary = load_formulary()
    assert formulary.medicine("sertraline").display_name == "sertraline (Zoloft)"
    assert formulary.medicine("amitriptyline").display_name == "amitriptyline"


def test_formulary_refuses_unknown_classes_and_the_reserved_other_id():
    data = copy.deepcopy(load_toml("medicines"))
    data["medicines"][0]["class"] = "herbal"
    with pytest.raises(ValueError, match="unknown class 'herbal'"):
        parse_formulary(data)
    data = copy.deepcopy(load_toml("medicines"))
    data["medicines"][0]["id"] = "other"
    with pytest.raises(ValueError, match="reserved"):
        parse_formulary(data)


def test_formulary_refuses_duplicate_medicines():
    data = copy.deepcopy(load_toml("medicines"))
    data["medicines"].append(dict(data["medicines"][0]))
    with pytest.raises(ValueError, match="repeated: citalopram"):
        parse_formulary(data)


# --- medical_review.toml -----------------------------------------------------------------------


def test_review_questions_cover_every_design_topic():
    ids = [q.id for q in load_questions()]
    assert sorted(ids) == sorted(REVIEW_TOPICS)


def test_label_contraindications_are_exactly_the_three_on_the_label():
    marked = {q.id for q in load_questions() if q.label_contraindication}
    assert marked == LABEL_CONTRAINDICATIONS


@pytest.mark.parametrize(
    ("question_id", "label_words"),
    [
        ("aneurysm_avm", "Aneurysmal vascular disease"),
        ("brain_bleed", "intracerebral hemorrhage"),
        ("ketamine_allergy", "Hypersensitivity to esketamine, ketamine"),
    ],
)
def test_label_contraindications_quote_the_label(question_id, label_words):
    question = next(q for q in load_questions() if q.id == question_id)
    assert label_words in question.source
    assert "label contraindication" in question.flag


def test_only_the_ride_home_question_fires_on_no():
    flag_on = {q.id: q.flag_on for q in load_questions()}
    assert flag_on.pop("ride_home") == ("no", "unsure")
    assert set(flag_on.values()) == {("yes", "unsure")}


@pytest.mark.parametrize("question", load_questions(), ids=lambda q: q.id)
def test_review_question_wording(question):
    assert question.source.strip()
    assert question.text.endswith("?")
    assert "you" in question.text.lower()
    assert question.flag.endswith("— for clinician review")
    for text in (question.text, question.hint, question.flag):
        assert diagnostic_phrases(text) == [], text


def test_medicine_labels_have_no_diagnostic_wording():
    formulary = load_formulary()
    labels = [c.label for c in formulary.classes] + [m.display_name for m in formulary.medicines]
    assert all(diagnostic_phrases(label) == [] for label in labels)


# --- maudsley_staging.toml ---------------------------------------------------------------------


def test_maudsley_points_match_clinical_md_3_2():
    scale = load_maudsley_scale()
    assert [(r.upper, r.points) for r in scale.duration.rows] == [(12, 1), (24, 2), (None, 3)]
    assert [(r.upper, r.points) for r in scale.severity.rows] == [(4, 1), (9, 2), (14, 3), (27, 4)]
    assert [(r.upper, r.points) for r in scale.treatment_failures.rows] == [
        (2, 1),
        (4, 2),
        (6, 3),
        (10, 4),
        (None, 5),
    ]
    assert (scale.augmentation_points, scale.ect_points) == (1, 1)
    assert [(b.id, b.min_total, b.max_total) for b in scale.bands] == [
        ("mild", 3, 6),
        ("moderate", 7, 10),
        ("severe", 11, 15),
    ]
    assert {(r.answer, r.row_id) for r in scale.duration_ranges} == {
        ("lt6", "acute"),
        ("6to12", "acute"),
        ("1to2y", "subacute"),
        ("gt2y", "chronic"),
    }


def test_every_maudsley_table_has_a_source():
    scale = load_maudsley_scale()
    sources = [scale.duration.source, scale.severity.source, scale.treatment_failures.source]
    sources += [scale.augmentation_source, scale.ect_source, scale.bands_source]
    assert all("§3.2" in source for source in sources)


@pytest.mark.parametrize("table", ["duration", "severity", "treatment_failures", "bands"])
def test_maudsley_tables_without_a_source_are_refused(table):
    data = copy.deepcopy(load_toml("maudsley_staging"))
    del data[table]["source"]
    with pytest.raises(ValueError, match="missing 'source'"):
        parse_scale(data)


def test_maudsley_bands_with_a_gap_are_refused():
    data = copy.deepcopy(load_toml("maudsley_staging"))
    data["bands"]["rows"][1]["min_total"] = 8
    with pytest.raises(ValueError, match="gap or overlap"):
        parse_scale(data)
