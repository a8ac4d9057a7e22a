"""Every question the patient can be asked, keyed by a stable id, built from the instrument data.

A question is what one form field needs: its wording, its kind and its options. The web layer
turns these into WTForms fields; nothing here knows about HTML.
"""

from dataclasses import dataclass, field
from functools import cache

from .instruments import Option, asq, phq9

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
    extra: dict = field(default_factory=dict, hash=False, compare=False)

    def option_label(self, value) -> str | None:
        return next((o.label for o in self.options if o.value == str(value)), None)


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


_EXTRA_SOURCES: list = []


def register_source(source) -> None:
    """Let another domain module (treatment history, medical review) contribute questions."""
    _EXTRA_SOURCES.append(source)
    all_questions.cache_clear()


@cache
def all_questions() -> dict[str, Question]:
    questions = _phq9_questions() + _asq_questions()
    for source in _EXTRA_SOURCES:
        questions.extend(source())
    return {question.id: question for question in questions}
