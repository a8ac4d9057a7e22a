"""Every question the patient can be asked, keyed by a stable id, built from the instrument data.

A question is what one form field needs: its wording, its kind and its options. The web layer
turns these into WTForms fields; nothing here knows about HTML. `all_questions()` is English;
`all_questions("es")` the same questions, ids, kinds and option values in Spanish.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .data_files import load_toml
from .instruments import Option, asq, phq9
from .locales import DEFAULT_LANGUAGE, localized, localized_value, optional_localized
from .medicines import load_formulary
from .review_flags import load_questions as load_review_questions

YES_NO = (Option("yes", "Yes"), Option("no", "No"))


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str = "choice"
    options: tuple[Option, ...] = ()
    hint: str = ""
    required: bool = True
    lead_in: str = ""
    short: str = ""
    minimum: float | None = None
    maximum: float | None = None
    units: tuple[str, ...] = ()  # words that may follow a typed number ("mg"), lower case
    groups: tuple[tuple[str, tuple[Option, ...]], ...] = field(default=(), compare=False)

    def option_label(self, value: object) -> str | None:
        """The label of the answer `value`; a list of answers gives their labels joined."""
        if isinstance(value, list):
            labels = [self.option_label(v) for v in value]
            return "; ".join(label for label in labels if label) or None
        return next((o.label for o in self.all_options if o.value == str(value)), None)

    @property
    def all_options(self) -> tuple[Option, ...]:
        return self.options + tuple(o for _, group in self.groups for o in group)


def _phq9_questions(language: str) -> list[Question]:
    instrument = phq9(language)
    items = [
        Question(item_id, text, options=instrument.frequency, lead_in=instrument.stem)
        for item_id, text in instrument.items
    ]
    difficulty = Question(
        instrument.difficulty_id, instrument.difficulty_text, options=instrument.difficulty_options
    )
    return [*items, difficulty]


def _asq_questions(language: str) -> list[Question]:
    instrument = asq(language)
    items = [Question(item_id, text, options=instrument.options)
             for item_id, text in instrument.items]
    acuity = Question(instrument.acuity_id, instrument.acuity_text, options=instrument.options)
    return [*items, acuity]


OTHER_MEDICINE = Option("other", "Another medicine (type its name)")


def medicine_groups(language: str = DEFAULT_LANGUAGE) -> tuple[tuple[str, tuple[Option, ...]], ...]:
    """The medicine picker: classes in the given language, medicine names as they are."""
    formulary = load_formulary()
    class_rows = {row["id"]: row for row in load_toml("medicines")["classes"]}
    picker = load_toml("treatment_history")["medicine_picker"]
    where = "treatment_history.toml [medicine_picker]"
    groups = []
    for medicine_class in formulary.classes:
        members = tuple(
            Option(m.id, m.display_name)
            for m in formulary.medicines if m.class_id == medicine_class.id
        )
        label = localized(class_rows[medicine_class.id], "label", language,
                          f"medicines.toml class {medicine_class.id}")
        groups.append((label, members))
    other = Option(OTHER_MEDICINE.value, localized(picker, "other", language, where))
    return (*groups, (localized(picker, "other_group", language, where), (other,)))


def _option_lists(data: Mapping[str, Any], language: str) -> dict[str, tuple[Option, ...]]:
    lists = {}
    for name, spec in data["options"].items():
        where = f"treatment_history.toml [options.{name}]"
        rows: list[list[str]] = localized_value(spec, "values", language, where)
        if [value for value, _ in rows] != [value for value, _ in spec["values"]]:
            raise ValueError(f"{where}: the {language} values must match the English, in order")
        lists[name] = tuple(Option(value, label) for value, label in rows)
    return lists


def _treatment_questions(language: str) -> list[Question]:
    data = load_toml("treatment_history")
    option_lists = _option_lists(data, language)
    questions = []
    for row in data["questions"]:
        kind = row.get("kind", "choice")
        where = f"treatment_history.toml question {row['id']}"
        questions.append(Question(
            id=row["id"], text=localized(row, "text", language, where), kind=kind,
            hint=optional_localized(row, "hint", language, where),
            options=option_lists[row["options"]] if "options" in row else (),
            required=row.get("required", True),
            short=optional_localized(row, "short", language, where),
            minimum=row.get("min"), maximum=row.get("max"),
            units=tuple(row.get("units", ())),
            groups=medicine_groups(language) if kind == "medicine" else (),
        ))
    return questions


def _medical_review_questions(language: str) -> list[Question]:
    yes_no_unsure = _option_lists(load_toml("treatment_history"), language)["yes_no_unsure"]
    rows = {row["id"]: row for row in load_toml("medical_review")["questions"]}
    questions = []
    for question in load_review_questions():
        where = f"medical_review.toml question {question.id}"
        row = rows[question.id]
        questions.append(Question(
            question.id, localized(row, "text", language, where), options=yes_no_unsure,
            hint=optional_localized(row, "hint", language, where)))
    return questions


@cache
def all_questions(language: str = DEFAULT_LANGUAGE) -> dict[str, Question]:
    """Every question in `language`; ValueError at start-up if any text lacks a translation."""
    questions = [*_phq9_questions(language), *_asq_questions(language),
                 *_treatment_questions(language), *_medical_review_questions(language)]
    return {question.id: question for question in questions}
