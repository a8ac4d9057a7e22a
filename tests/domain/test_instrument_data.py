"""The instrument data files, checked word for word against the reference texts."""

import re
from pathlib import Path

from screening.domain.instruments import asq, phq9

REFERENCE = Path(__file__).parents[1] / "reference"
CLINICAL = (REFERENCE / "clinical.md").read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.index("\n### ", start + len(heading))
    return text[start:end]


def quoted_table_rows(block: str) -> list[list[str]]:
    rows = []
    for line in block.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[1].startswith('"'):
            rows.append(cells)
    return rows


PHQ9_WORDING = section(CLINICAL, "### 1.1 Official English wording")


def test_stem_is_exact():
    stem = re.search(r'Stem \(exact\): \*\*"(.+?)"\*\*', PHQ9_WORDING).group(1)
    assert phq9().stem == stem


def test_items_and_item_codes_are_exact():
    expected = [
        (f"phq9_{int(cells[0])}", cells[1].strip('"'), cells[2])
        for cells in quoted_table_rows(PHQ9_WORDING) if cells[0].isdigit()
    ]
    assert len(expected) == 9
    actual = [(item_id, text, phq9().item_loinc[item_id]) for item_id, text in phq9().items]
    assert actual == expected


def test_response_options_scores_and_answer_codes_are_exact():
    lines = (line.strip().strip("|").split("|") for line in PHQ9_WORDING.splitlines())
    rows = [[c.strip() for c in cells] for cells in lines if len(cells) == 3]
    rows = [cells for cells in rows if cells[0].startswith('"') and cells[1].isdigit()]
    expected = [(cells[0].strip('"'), int(cells[1]), cells[2]) for cells in rows]
    assert [(o.label, o.score, o.loinc) for o in phq9().frequency] == expected


def test_difficulty_question_and_options_are_exact():
    question = re.search(r'10th \("difficulty"\) question, exact: \*\*"(.+?)"\*\*',
                         PHQ9_WORDING.replace("\n", " ")).group(1)
    assert phq9().difficulty_text == question
    expected = [
        (cells[0].strip('"'), cells[1]) for cells in
        (line.strip().strip("|").split("|") for line in PHQ9_WORDING.splitlines())
        if len(cells) == 2 and cells[0].strip().startswith('"') and "LA65" in cells[1]
    ]
    expected = [(label.strip().strip('"'), code.strip()) for label, code in expected]
    assert [(o.label, o.loinc) for o in phq9().difficulty_options] == expected


def test_copyright_line_is_the_form_footer():
    footer = re.search(r'Form footer \(exact\): \*\*"(.+?)"\*\*',
                       CLINICAL.replace("\n  ", " ")).group(1)
    assert phq9().copyright == footer


def test_panel_and_total_codes():
    assert phq9().loinc_panel == "44249-1"
    assert phq9().loinc_total == "44261-6"
    assert "44249-1" in CLINICAL and "44261-6" in CLINICAL


def test_asq_wording_is_exact():
    text = (REFERENCE / "instruments" / "asq-en-es.md").read_text(encoding="utf-8")
    expected = {}
    for line in text.splitlines():
        match = re.match(r"\| ([1-5]) \| (.+?) \| ", line)
        if match:
            expected[f"asq_{match.group(1)}"] = match.group(2)
    actual = dict(asq().items) | {asq().acuity_id: asq().acuity_text}
    assert actual == expected
