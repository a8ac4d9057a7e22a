"""The patient's answers as a value: saving a step, adding or removing a repeated entry, and which
step a patient may open. Stores persist what these return; views ask them where to go.

Answers map a question id to a string, a list of strings, or (for a repeating step such as the
antidepressant trials) a list of entries, each a mapping with its own `_id`.
"""

from collections.abc import Mapping
from typing import Any

from .flow import Answers, Path, Step


def merged(answers: Answers, new_answers: Answers) -> dict[str, Any]:
    """`answers` with one step's `new_answers` written over them."""
    return {**answers, **new_answers}


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
