"""The safety answers' history: every answer to PHQ-9 item 9 and to the ASQ, with its time, and
when the crisis and "ask for help now" pages were shown (DESIGN.md §2, "Safety answers keep their
history").

The history lives in the answers under one reserved key and is only ever appended to, by the
server when a step is saved: a later change (Back, Change, a changed item 9) never erases what was
said. The safety flag comes from the highest-risk answers ever given, so it is never lowered by a
later answer.

An entry is ``{"question": id, "answer": value, "at": ISO time}`` or ``{"event": name, "at": ...}``.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from .instruments import asq
from .phq9 import SAFETY_ITEM

HISTORY_KEY = "safety_history"
SENT_EARLY_KEY = "help_now_sent_early"
# Written only by the server: a patient's POST can never set or clear these.
RESERVED_KEYS = frozenset({HISTORY_KEY, SENT_EARLY_KEY})

# A patient who keeps changing a safety answer must never be stopped from saving by the storage
# bound on lists (domain/bounds.py MAX_LIST): past KEPT_AT_MOST entries the history keeps the first
# time each answer or event was given (so the highest-risk answers and their times stay) and the
# most recent RECENT_KEPT entries.
KEPT_AT_MOST = 90
RECENT_KEPT = 60

CRISIS_PAGE_SHOWN = "crisis_page_shown"
HELP_NOW_SHOWN = "help_now_shown"
SENT_EARLY = "sent_early"
# A notice step's "seen" answer -> the event it records.
SEEN_EVENTS = {"safety_seen": CRISIS_PAGE_SHOWN, "help_now_seen": HELP_NOW_SHOWN}


def tracked_questions() -> tuple[str, ...]:
    """The questions whose every answer is kept: item 9, the four ASQ questions, acuity."""
    instrument = asq()
    return (SAFETY_ITEM, *instrument.item_ids, instrument.acuity_id)


def entries(answers: Mapping[str, Any]) -> list[dict[str, str]]:
    """The stored history; anything that is not a well-formed entry is left out."""
    stored = answers.get(HISTORY_KEY)
    if not isinstance(stored, list):
        return []
    return [e for e in stored if isinstance(e, dict) and isinstance(e.get("at"), str)
            and ((isinstance(e.get("question"), str) and isinstance(e.get("answer"), str))
                 or isinstance(e.get("event"), str))]


def recorded(stored: Mapping[str, Any], new_answers: Mapping[str, Any],
             at: datetime) -> list[dict[str, str]]:
    """The history of `stored` with what one saved step (`new_answers`) said at `at` appended.

    Every answer given is kept, an unchanged one too: each save of a safety question is one entry.
    """
    when = at.isoformat()
    history = entries(stored)
    for question in tracked_questions():
        value = new_answers.get(question)
        if isinstance(value, str) and value:
            history.append({"question": question, "answer": value, "at": when})
    for key, event in SEEN_EVENTS.items():
        if new_answers.get(key) == "yes":
            history.append({"event": event, "at": when})
    return compacted(history)


def with_event(stored: Mapping[str, Any], event: str, at: datetime) -> list[dict[str, str]]:
    return compacted([*entries(stored), {"event": event, "at": at.isoformat()}])


def compacted(history: list[dict[str, str]]) -> list[dict[str, str]]:
    """`history` itself up to KEPT_AT_MOST entries; past that, the first entry of each answer and
    event given, and the last RECENT_KEPT entries, in their order."""
    if len(history) <= KEPT_AT_MOST:
        return history
    recent_from = len(history) - RECENT_KEPT
    seen: set[tuple[str, str]] = set()
    kept = []
    for position, entry in enumerate(history):
        what = (entry.get("question", ""), entry.get("answer", entry.get("event", "")))
        if position >= recent_from or what not in seen:
            kept.append(entry)
        seen.add(what)
    return kept


def happened(answers: Mapping[str, Any], event: str) -> bool:
    return any(e.get("event") == event for e in entries(answers))


def given(answers: Mapping[str, Any], question: str) -> list[tuple[str, datetime]]:
    """Every answer given to `question`, in order, with its time."""
    return [(e["answer"], datetime.fromisoformat(e["at"]))
            for e in entries(answers) if e.get("question") == question]


def changes(answers: Mapping[str, Any], question: str) -> list[tuple[str, datetime]]:
    """The answers given to `question` where one differs from the one before it (the first always
    counts); a single item when the patient never changed it."""
    trail: list[tuple[str, datetime]] = []
    for value, at in given(answers, question):
        if not trail or trail[-1][0] != value:
            trail.append((value, at))
    return trail


def last_given(answers: Mapping[str, Any], question: str) -> str | None:
    """The final answer given to `question` (the stored one for answers without a history)."""
    trail = given(answers, question)
    if trail:
        return trail[-1][0]
    value = answers.get(question)
    return value if isinstance(value, str) else None


def highest_risk(answers: Mapping[str, Any]) -> dict[str, str]:
    """The highest-risk answer ever given to each safety question: item 9 at its highest score,
    an ASQ question "yes" if it was ever answered "yes". Answers stored without a history count
    too, so an older draft or submission reads as before."""
    highest: dict[str, str] = {}
    values = [(q, a) for q, a in ((q, answers.get(q)) for q in tracked_questions())
              if isinstance(a, str) and a]
    values += [(e["question"], e["answer"]) for e in entries(answers) if "question" in e]
    for question, value in values:
        if question == SAFETY_ITEM:
            if value.isdecimal() and (question not in highest
                                      or int(value) > int(highest[question])):
                highest[question] = value
        elif value in ("yes", "no") and highest.get(question) != "yes":
            highest[question] = value
    return highest


def latest_answers(answers: Mapping[str, Any]) -> dict[str, str]:
    """The final answer given to each safety question that was ever answered."""
    latest = {q: last_given(answers, q) for q in tracked_questions()}
    return {q: v for q, v in latest.items() if v is not None}


def item_changes(answers: Mapping[str, Any],
                 questions: Sequence[str]) -> dict[str, list[tuple[str, datetime]]]:
    """For each of `questions` whose answer was changed, the answers given with their times."""
    trails = {q: changes(answers, q) for q in questions}
    return {q: trail for q, trail in trails.items() if len(trail) > 1}
