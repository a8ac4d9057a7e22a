"""Every question the patient can be asked, keyed by a stable id, built from the instrument data.

A question is what one form field needs: its wording, its kind and its options. The web layer
turns these into WTForms fields; nothing here knows about HTML.
"""

from dataclasses import dataclass, field
from functools import cache

from .data_files import load_toml
from .instruments import Option, asq, phq9
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
    groups: tuple[tuple[str, tuple[Option, ...]], ...] = field(default=(), compare=False)

    def option_label(self, value) -> str | None:
        if isinstance(value, list):
            labels = [self.option_label(v) for v in value]
            return "; ".join(label for label in labels if label) or None
        return next((o.label for o in self.all_options if o.value == str(value)), None)

    @property
    def all_options(self) -> tuple[Option, ...]:
        return self.options + tuple(o for _, group in self.groups for o in group)


def _phq9_questions() -> list[Question]:
    instrument = phq9()
    items = [
        Question(item_id, text, options=instrument.frequency, lead_in=instrument.stem)
        for item_id, text in instrument.items
    ]
    difficulty = Question(
        instrument.difficulty_id, instrument.difficulty_text, options=instrument.difficulty_options
    )
    return [*items, difficulty]


def _asq_questions() -> list[Question]:
    instrument = asq()
    items = [Question(item_id, text, options=YES_NO) for item_id, text in instrument.items]
    acuity = Question(instrument.acuity_id, instrument.acuity_text, options=YES_NO)
    return [*items, acuity]


OTHER_MEDICINE = Option("other", "Another medicine (type its name)")


def medicine_groups() -> tuple[tuple[str, tuple[Option, ...]], ...]:
    formulary = load_formulary()
    groups = []
    for medicine_class in formulary.classes:
        members = tuple(
            Option(m.id, f"{m.generic} ({', '.join(m.brands)})" if m.brands else m.generic)
            for m in formulary.medicines if m.class_id == medicine_class.id
        )
        groups.append((medicine_class.label, members))
    return (*groups, ("Other", (OTHER_MEDICINE,)))


def _treatment_questions() -> list[Question]:
    data = load_toml("treatment_history")
    option_lists = {
        name: tuple(Option(value, label) for value, label in spec["values"])
        for name, spec in data["options"].items()
    }
    questions = []
    for row in data["questions"]:
        kind = row.get("kind", "choice")
        questions.append(Question(
            id=row["id"], text=row["text"], kind=kind, hint=row.get("hint", ""),
            options=option_lists[row["options"]] if "options" in row else (),
            required=row.get("required", True), short=row.get("short", ""),
            minimum=row.get("min"), maximum=row.get("max"),
            groups=medicine_groups() if kind == "medicine" else (),
        ))
    return questions


def _medical_review_questions() -> list[Question]:
    yes_no_unsure = (Option("yes", "Yes"), Option("no", "No"), Option("unsure", "Not sure"))
    return [Question(q.id, q.text, options=yes_no_unsure, hint=q.hint)
            for q in load_review_questions()]


@cache
def all_questions() -> dict[str, Question]:
    questions = [*_phq9_questions(), *_asq_questions(), *_treatment_questions(),
                 *_medical_review_questions()]
    return {question.id: question for question in questions}
