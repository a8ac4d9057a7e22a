"""One antidepressant trial as the patient reported it, read from the web layer's stored answers."""

import math
from collections.abc import Mapping
from dataclasses import dataclass

OTHER_MEDICINE = "other"
TICKED = "y"


@dataclass(frozen=True)
class Trial:
    """A reported trial. Unknown or unreadable numbers are None; answers are kept as given.

    medicine: a medicine id from medicines.toml, or "other" with the free text in other_name.
    this_episode: "yes" | "no" | "unsure". adherence: "all" | "most" | "some".
    response: "none" | "little" | "somewhat" | "lot" | "worse".
    stopped: "still" | "not_helping" | "side_effects" | "cost" | "other".
    """

    medicine: str
    other_name: str
    this_episode: str
    dose_mg: float | None
    weeks: float | None
    adherence: str
    response: str
    stopped: str

    @classmethod
    def from_answers(cls, answers: Mapping[str, str]) -> "Trial":
        """Build a Trial from one stored trial dict, as the treatment-history pages save it."""

        def answer(key: str) -> str:
            return str(answers.get(key) or "").strip()

        return cls(
            medicine=answer("medicine"),
            other_name=answer("other_name"),
            this_episode=answer("this_episode"),
            dose_mg=None
            if answer("dose_unknown") == TICKED
            else _positive_number(answer("dose_mg")),
            weeks=None
            if answer("weeks_unknown") == TICKED
            else _non_negative_number(answer("weeks")),
            adherence=answer("adherence"),
            response=answer("response"),
            stopped=answer("stopped"),
        )

    @property
    def is_other(self) -> bool:
        return self.medicine == OTHER_MEDICINE

    @property
    def medicine_key(self) -> str:
        """What makes two trials "the same medicine": the id, or the normalised free-text name."""
        if self.is_other:
            return f"{OTHER_MEDICINE}:{' '.join(self.other_name.casefold().split())}"
        return self.medicine

    @property
    def medicine_name(self) -> str:
        """Name for reasons shown to the clinician."""
        if self.is_other:
            return self.other_name or "an unnamed other medicine"
        return self.medicine.replace("_", " ")


def _positive_number(text: str) -> float | None:
    value = _non_negative_number(text)
    return value if value else None


def _non_negative_number(text: str) -> float | None:
    # Accept a decimal comma ("37,5") because the questionnaire is offered in Spanish too.
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None
