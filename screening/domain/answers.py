"""The patient's answers as a value: saving a step, adding or removing a repeated entry, and which
step a patient may open. Stores persist what these return; views ask them where to go.

Answers map a question id to a string, a list of strings, or (for a repeating step such as the
antidepressant trials) a list of entries, each a mapping with its own `_id`.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from . import safety_history
from .flow import Answers, Path, Step, steps

# Steps of these sections are answered again from scratch once they stop applying (DESIGN.md §2).
SAFETY_SECTIONS = frozenset({"safety", "asq", "asq_acuity"})


def merged(answers: Answers, new_answers: Answers) -> dict[str, Any]:
    """`answers` with one step's `new_answers` written over them. Keys only the server writes
    (the safety history, "sent early") are never taken from the patient's answers."""
    incoming = {k: v for k, v in new_answers.items() if k not in safety_history.RESERVED_KEYS}
    return {**answers, **incoming}


def saved(answers: Answers, new_answers: Answers, at: datetime) -> dict[str, Any]:
    """What a draft holds after one step's `new_answers` are saved at `at`: merged, every safety
    answer appended to the history, and the safety answers that no longer apply cleared, so a
    safety question asked again is never pre-selected from an earlier pass (the history keeps
    them)."""
    result = without_stale_safety_answers(merged(answers, new_answers))
    history = safety_history.recorded(answers, new_answers, at)
    if history:
        result[safety_history.HISTORY_KEY] = history
    return result


def sent_early(answers: Answers, at: datetime) -> dict[str, Any]:
    """The answers of a patient who sends them from the "ask for help now" page."""
    history = safety_history.with_event(answers, safety_history.HELP_NOW_SHOWN, at)
    history.append({"event": safety_history.SENT_EARLY, "at": at.isoformat()})
    return {**answers, "help_now_seen": "yes", safety_history.SENT_EARLY_KEY: "yes",
            safety_history.HISTORY_KEY: history}


def without_stale_safety_answers(answers: Answers) -> dict[str, Any]:
    """`answers` without the answers of safety steps that no longer apply (clearing the ASQ can
    make the acuity question stop applying in turn, hence the loop)."""
    result = dict(answers)
    while True:
        stale = [key for step in steps() if step.section in SAFETY_SECTIONS
                 and not step.applies(result) for key in _keys(step) if key in result]
        if not stale:
            return result
        for key in stale:
            del result[key]


def _keys(step: Step) -> tuple[str, ...]:
    return (step.seen_key,) if step.kind == "notice" else step.questions


def with_entry(answers: Answers, key: str, entry_id: str,
               entry: Mapping[str, Any] | None) -> dict[str, Any]:
    """`answers` with the repeated entry `entry_id` of `key` added, replaced in place, or removed
    (`entry` None). The id comes from the page, so a double tap or a second tab replaces the entry
    instead of adding it twice."""
    entries = list(answers.get(key, []))
    position = next((i for i, e in enumerate(entries) if e.get("_id") == entry_id), len(entries))
    kept = [e for e in entries if e.get("_id") != entry_id]
    if entry is not None:
        kept.insert(min(position, len(kept)), {**entry, "_id": entry_id})
    return {**answers, key: kept}


def must_answer_first(current: Step, path: Path) -> Step | None:
    """Where a patient who opens `current` belongs instead, or None when they may open it: a step
    they have not reached sends them to the first unanswered one; a step that no longer applies
    to their answers is never shown."""
    first_open = path.first_incomplete()
    if not current.applies(path.answers):
        return first_open
    if first_open is not None and first_open.number < current.number:
        return first_open
    return None
