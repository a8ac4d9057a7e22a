"""The Spanish instrument wording, word for word against the reference texts; every text translated.

References: tests/reference/instruments/phq9-es-US.md (the official Pfizer PHQ-9, Spanish for the
USA) and asq-en-es.md (the ASQ in Spanish as reproduced by independent implementations).
"""

import re
import tomllib
from pathlib import Path

import pytest

from screening.domain import flow
from screening.domain.data_files import DATA_DIR
from screening.domain.instruments import asq, phq9
from screening.domain.locales import localized
from screening.domain.medicines import load_formulary
from screening.domain.questions import all_questions

INSTRUMENTS = Path(__file__).parents[1] / "reference" / "instruments"
PHQ9_ES = (INSTRUMENTS / "phq9-es-US.md").read_text(encoding="utf-8")
ASQ_EN_ES = (INSTRUMENTS / "asq-en-es.md").read_text(encoding="utf-8")


def table_rows(text: str, columns: int) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) == columns:
                rows.append(cells)
    return rows


def bold_after(label: str) -> str:
    """The **bold** text that follows `label`, with the PDF's line breaks joined by one space."""
    start = PHQ9_ES.index(label) + len(label)
    match = re.search(r"\*\*(.+?)\*\*", PHQ9_ES[start:], flags=re.S)
    return " ".join(match.group(1).split())


# --- PHQ-9, Spanish for the USA ---------------------------------------------------------------

def test_phq9_stem_is_the_official_spanish():
    assert phq9("es").stem == bold_after("Stem:")
    assert phq9("es").stem == ("Durante las últimas 2 semanas, ¿qué tan seguido ha tenido "
                               "molestias debido a los siguientes problemas?")


def test_phq9_items_and_codes_are_the_official_spanish():
    expected = [(f"phq9_{cells[0]}", cells[2], cells[1])
                for cells in table_rows(PHQ9_ES, 4)
                if cells[0].isdigit() and not cells[1].startswith("LA")]
    assert len(expected) == 9
    spanish = phq9("es")
    assert [(item_id, text, spanish.item_loinc[item_id]) for item_id, text in spanish.items] \
        == expected


def test_phq9_dashes_and_item_8_punctuation_are_as_printed():
    items = dict(phq9("es").items)
    assert "\u2013" in items["phq9_6"] and "\u2014" not in items["phq9_6"]
    assert items["phq9_8"].startswith("¿Se ha movido")
    assert "notado? o lo contrario \u2013 muy inquieto(a)" in items["phq9_8"]


def test_phq9_frequency_options_scores_and_codes_are_the_official_spanish():
    rows = [cells for cells in table_rows(PHQ9_ES, 4) if cells[1].startswith("LA65")]
    expected = [(cells[2], int(cells[0]), cells[1]) for cells in rows]
    assert expected[0] == ("Ningún día", 0, "LA6568-5")
    assert [(o.label, o.score, o.loinc) for o in phq9("es").frequency] == expected


def test_phq9_difficulty_question_and_options_are_the_official_spanish():
    assert phq9("es").difficulty_text == bold_after("Difficulty question (LOINC 69722-7")
    expected = [(cells[1], cells[0]) for cells in table_rows(PHQ9_ES, 3)
                if cells[0].startswith("LA65")]
    assert len(expected) == 4
    assert [(o.label, o.loinc) for o in phq9("es").difficulty_options] == expected


def test_phq9_spanish_copyright_line_is_the_form_footer():
    footer = re.search(r'Instrument notice \(Spanish form footer, verbatim\): "(.+?)"',
                       PHQ9_ES, flags=re.S).group(1)
    assert phq9("es").copyright == " ".join(footer.split())


def test_phq9_spanish_keeps_ids_scores_bands_and_rules():
    english, spanish = phq9(), phq9("es")
    assert spanish.item_ids == english.item_ids
    assert [(b.id, b.low, b.high) for b in spanish.bands] == \
        [(b.id, b.low, b.high) for b in english.bands]
    assert (spanish.algorithm, spanish.phq2, spanish.missing) == \
        (english.algorithm, english.phq2, english.missing)
    assert [o.score for o in spanish.frequency] == [o.score for o in english.frequency]


def test_english_phq9_is_unchanged_by_the_spanish():
    assert phq9() == phq9("en")
    assert phq9().stem.startswith("Over the last 2 weeks")


# --- ASQ --------------------------------------------------------------------------------------

def asq_reference() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in ASQ_EN_ES.splitlines():
        match = re.match(r"\| ([1-5]) \| (.+?) \| (.+?) \| ", line)
        if match:
            rows[f"asq_{match.group(1)}"] = (match.group(2), match.group(3))
    return rows


def test_asq_spanish_wording_is_as_reproduced_in_the_reference():
    expected = {item_id: spanish for item_id, (_, spanish) in asq_reference().items()}
    assert len(expected) == 5
    instrument = asq("es")
    assert dict(instrument.items) | {instrument.acuity_id: instrument.acuity_text} == expected


def test_asq_spanish_answers_are_si_and_no():
    assert "**Sí / No**" in ASQ_EN_ES
    assert [(o.value, o.label) for o in asq("es").options] == [("yes", "Sí"), ("no", "No")]
    assert [(o.value, o.label) for o in asq().options] == [("yes", "Yes"), ("no", "No")]


def test_asq_spanish_status_and_sources_are_recorded_in_the_data():
    instrument = asq("es")
    assert "as reproduced by several independent implementations" in instrument.status
    assert "NIMH Spanish PDF not seen" in instrument.status
    assert "UNVERIFIED" in instrument.status
    for source in ("[S12]", "[S13]", "[S14]", "[S15]"):
        assert source in instrument.source
    assert asq().status.startswith("Verified")


def test_replacing_the_asq_wording_needs_no_code(monkeypatch):
    """The Spanish ASQ is data: a reviewed wording dropped into asq.toml is what patients see."""
    data = tomllib.loads((DATA_DIR / "asq.toml").read_text(encoding="utf-8"))
    data["items"][0]["es"]["text"] = "En las últimas semanas, ¿ha deseado estar muerto(a)?"
    monkeypatch.setattr("screening.domain.instruments.load_toml", lambda name: data)
    asq.cache_clear()
    try:
        assert asq("es").items[0][1].endswith("muerto(a)?")
    finally:
        asq.cache_clear()


# --- every text in every language -------------------------------------------------------------

def test_every_question_has_spanish_text_and_the_same_options():
    english, spanish = all_questions(), all_questions("es")
    assert english.keys() == spanish.keys()
    for qid, question in english.items():
        translated = spanish[qid]
        assert translated.text and translated.text != "", qid
        assert bool(translated.hint) == bool(question.hint), qid
        assert bool(translated.short) == bool(question.short), qid
        assert [o.value for o in translated.all_options] == \
            [o.value for o in question.all_options], qid
        assert (translated.kind, translated.required, translated.minimum, translated.maximum) \
            == (question.kind, question.required, question.minimum, question.maximum), qid


def test_medicine_names_are_not_translated():
    english, spanish = all_questions()["medicine"], all_questions("es")["medicine"]
    names = {o.value: o.label for o in english.all_options if o.value != "other"}
    assert names == {o.value: o.label for o in spanish.all_options if o.value != "other"}
    assert {m.display_name for m in load_formulary().medicines} <= set(names.values())
    assert [label for label, _ in spanish.groups][-1] == "Otro"


def test_every_step_and_section_has_spanish_text():
    for english, spanish in zip(flow.steps(), flow.steps("es"), strict=True):
        assert (spanish.id, spanish.number, spanish.questions, spanish.show_if) == \
            (english.id, english.number, english.questions, english.show_if)
        assert bool(spanish.title) == bool(english.title), english.id
        assert bool(spanish.hint) == bool(english.hint), english.id
        assert spanish.texts.keys() == english.texts.keys(), english.id
        for kind in ("one_of", "pairs", "required_if"):
            rules = zip(getattr(english, kind), getattr(spanish, kind), strict=True)
            for rule_en, rule_es in rules:
                assert rule_es["message"] and rule_es["message"] != rule_en["message"]
    assert flow.sections("es").keys() == flow.sections().keys()


def test_clinician_wording_in_the_data_has_spanish():
    """Flags, response meanings and Maudsley bands the Spanish summary shows come from the data."""
    review = tomllib.loads((DATA_DIR / "medical_review.toml").read_text(encoding="utf-8"))
    for row in review["questions"]:
        for key in ("text", "flag") + (("hint",) if "hint" in row else ()):
            assert localized(row, key, "es", row["id"])
    rules = tomllib.loads((DATA_DIR / "resistance_rules.toml").read_text(encoding="utf-8"))
    for key, band in rules["response_bands"].items():
        if key != "source":
            assert localized(band, "meaning", "es", key)
    scale = tomllib.loads((DATA_DIR / "maudsley_staging.toml").read_text(encoding="utf-8"))
    assert localized(scale, "label", "es", "top")
    for band in scale["bands"]["rows"]:
        assert localized(band, "label", "es", band["id"])


@pytest.mark.parametrize("language", ["fr", "EN", ""])
def test_an_unknown_language_is_refused(language):
    with pytest.raises(ValueError, match="unsupported language"):
        phq9(language)
