"""The patient's path through the questionnaire: which steps apply, in what order, where to resume.

Steps and their conditions are data (`data/flow.toml`). Conditions come from a closed set, so a
clinician can read every branch without reading code:

* ``any_at_least``: some listed item has a numeric answer at or above ``value``;
* ``any_equals``: some listed item has exactly the answer ``value``;
* ``any_entries``: some listed repeating step has at least one entry (an antidepressant added).

Which steps apply never depends on the language; `steps("es")` gives the same steps with their
titles, hints and messages in Spanish.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from .data_files import load_toml
from .locales import DEFAULT_LANGUAGE, LANGUAGES, localized, optional_localized
from .questions import all_questions

SEEN = "seen"

# A question id -> a string, a list of strings, or a repeating step's list of entries (answers.py).
Answers = Mapping[str, Any]


@dataclass(frozen=True)
class Condition:
    kind: str
    items: tuple[str, ...]
    value: int | str | list[str]  # any_at_least: a whole number; any_equals: one answer or several

    def holds(self, answers: Answers) -> bool:
        # Every patient request walks the whole flow once: plain loops, no exceptions.
        if self.kind == "any_entries":
            return any(isinstance(answers.get(item), list) and len(answers[item]) > 0
                       for item in self.items)
        if self.kind == "any_at_least":
            minimum = self.value  # a whole number: _condition refuses anything else
            return isinstance(minimum, int) and any(
                _at_least(answers.get(item), minimum) for item in self.items)
        accepted = self.value if isinstance(self.value, list) else [self.value]
        return any(isinstance(answers.get(item), str) and answers[item] in accepted
                   for item in self.items)


@dataclass(frozen=True)
class Step:
    id: str
    number: int
    section: str
    kind: str
    questions: tuple[str, ...]
    show_if: Condition | None
    title: str = ""
    hint: str = ""
    item_noun: str = ""
    one_of: tuple[dict[str, Any], ...] = ()
    pairs: tuple[dict[str, Any], ...] = ()
    required_if: tuple[dict[str, Any], ...] = ()
    only_if: tuple[dict[str, Any], ...] = ()
    not_future: tuple[dict[str, Any], ...] = ()
    # A number left empty is stored as "not known" under its pair: {"dose_mg": "dose_unknown"}.
    unknown_when_empty: dict[str, str] = field(default_factory=dict, compare=False)
    texts: dict[str, str] = field(default_factory=dict, compare=False)  # a repeat step's wording
    language: str = DEFAULT_LANGUAGE

    def applies(self, answers: Answers) -> bool:
        return self.show_if is None or self.show_if.holds(answers)

    @property
    def stored_questions(self) -> tuple[str, ...]:
        """The keys this step's answers are stored under: its questions, each number followed by
        its "not known" key ("dose_mg", "dose_unknown")."""
        keys: list[str] = []
        for qid in self.questions:
            keys += [qid, self.unknown_when_empty[qid]] if qid in self.unknown_when_empty else [qid]
        return tuple(keys)

    @property
    def seen_key(self) -> str:
        return f"{self.id}_{SEEN}"

    @property
    def done_key(self) -> str:
        return f"{self.id}_done"

    def is_complete(self, answers: Answers) -> bool:
        if self.kind == "notice":
            return answers.get(self.seen_key) == "yes"
        if self.kind == "repeat":
            return answers.get(self.done_key) == "yes"
        questions = all_questions()
        return all(
            answers.get(qid) not in (None, "") or not questions[qid].required
            for qid in self.questions
        ) and all(any(answers.get(name) not in (None, "") for name in rule["fields"])
                  for rule in self.one_of)


def _at_least(value: object, minimum: int) -> bool:
    return isinstance(value, str) and value.isdecimal() and int(value) >= minimum


def _condition(raw: Mapping[str, Any] | None) -> Condition | None:
    if raw is None:
        return None
    kind = next(k for k in ("any_at_least", "any_equals", "any_entries") if k in raw)
    value = raw.get("value", "")
    if kind == "any_at_least" and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"flow.toml: {kind} {raw[kind]} needs a whole-number value, not {value!r}")
    return Condition(kind, tuple(raw[kind]), value)


def _questions_of(row: Mapping[str, Any]) -> tuple[str, ...]:
    default = [] if row.get("kind") == "notice" else [row["id"]]
    return tuple(row.get("questions", default))


def _rules(
    row: Mapping[str, Any], key: str, language: str, where: str
) -> tuple[dict[str, Any], ...]:
    """A step's validation rules with their message in `language`."""
    return tuple({**rule, "message": localized(rule, "message", language, f"{where} {key}")}
                 for rule in row.get(key, ()))


def _texts(row: Mapping[str, Any], language: str, where: str) -> dict[str, str]:
    texts = row.get("texts", {})
    return {key: localized(texts, key, language, f"{where} texts")
            for key in texts if key not in LANGUAGES}


@cache
def steps(language: str = DEFAULT_LANGUAGE) -> tuple[Step, ...]:
    rows = load_toml("flow")["steps"]
    built = []
    for number, row in enumerate(rows, start=1):
        where = f"flow.toml step {row['id']}"
        built.append(Step(
            id=row["id"],
            number=number,
            section=row["section"],
            kind=row.get("kind", "questions"),
            questions=_questions_of(row),
            show_if=_condition(row.get("show_if")),
            title=optional_localized(row, "title", language, where),
            hint=optional_localized(row, "hint", language, where),
            item_noun=row.get("item_noun", ""),
            one_of=_rules(row, "one_of", language, where),
            pairs=_rules(row, "pairs", language, where),
            required_if=_rules(row, "required_if", language, where),
            only_if=_rules(row, "only_if", language, where),
            not_future=_rules(row, "not_future", language, where),
            unknown_when_empty=dict(row.get("unknown_when_empty", {})),
            texts=_texts(row, language, where),
            language=language,
        ))
    _check_questions_exist(tuple(built))
    return tuple(built)


def _check_questions_exist(built: tuple[Step, ...]) -> None:
    known = all_questions()
    for step in built:
        for qid in step.questions:
            if qid not in known:
                raise ValueError(f"flow step {step.id} asks unknown question {qid}")


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    progress: str


@cache
def sections(language: str = DEFAULT_LANGUAGE) -> dict[str, Section]:
    rows = load_toml("flow")["sections"]
    return {
        key: Section(key, localized(row, "title", language, f"flow.toml section {key}"),
                     localized(row, "progress", language, f"flow.toml section {key}"))
        for key, row in rows.items()
    }


@dataclass(frozen=True)
class Part:
    id: str
    number: int
    title: str
    sections: tuple[str, ...]


@cache
def parts(language: str = DEFAULT_LANGUAGE) -> tuple[Part, ...]:
    """The parts of the questionnaire, the same for every patient whatever they answer."""
    return tuple(
        Part(row["id"], number, localized(row, "title", language, f"flow.toml part {row['id']}"),
             tuple(row["sections"]))
        for number, row in enumerate(load_toml("flow")["parts"], start=1))


def part_text(part_id: str, language: str = DEFAULT_LANGUAGE) -> str:
    """ "Part 2 of 4: Treatments you have tried" for the part `part_id`."""
    all_parts = parts(language)
    part = next(p for p in all_parts if p.id == part_id)
    wording = localized(load_toml("flow")["progress"], "part", language, "flow.toml [progress]")
    return wording.format(n=part.number, m=len(all_parts), title=part.title)


def part_of(step: Step) -> str:
    return next(p.id for p in parts() if step.section in p.sections)


def step_by_number(number: int, language: str = DEFAULT_LANGUAGE) -> Step | None:
    return next((step for step in steps(language) if step.number == number), None)


def step_by_id(step_id: str, language: str = DEFAULT_LANGUAGE) -> Step:
    return next(step for step in steps(language) if step.id == step_id)


def visible_steps(answers: Answers) -> tuple[Step, ...]:
    # Every patient request asks this. Only the answers that conditions read can change it, and
    # they stay the same over most of a patient's pages, so each combination is worked out once.
    deciding = tuple(_deciding(answers.get(item)) for item in _condition_items())
    if all(value is None or isinstance(value, str) for value in deciding):
        return _visible_for(deciding)
    return _visible(answers)


# A repeating step's entries decide only whether there are any: they are cached as this marker.
_SOME_ENTRIES, _NO_ENTRIES = "\x00entries", "\x00none"


def _deciding(value: object) -> object:
    if isinstance(value, list):
        return _SOME_ENTRIES if value else _NO_ENTRIES
    return value


def _undeciding(value: str | None) -> object:
    return {_SOME_ENTRIES: [{}], _NO_ENTRIES: []}.get(value, value) if value else value


def _visible(answers: Answers) -> tuple[Step, ...]:
    return tuple(step for step in steps() if step.applies(answers))


@lru_cache(maxsize=1024)
def _visible_for(deciding: tuple[str | None, ...]) -> tuple[Step, ...]:
    return _visible({item: _undeciding(value)
                     for item, value in zip(_condition_items(), deciding, strict=True)})


@cache
def _condition_items() -> tuple[str, ...]:
    """Every answer some step's condition reads."""
    return tuple(sorted({item for step in steps() if step.show_if for item in step.show_if.items}))


class Path:
    """The steps some answers make visible, worked out once for every question a page asks."""

    def __init__(self, answers: Answers) -> None:
        self.answers = answers
        self.steps = visible_steps(answers)

    def first_incomplete(self) -> Step | None:
        return next((s for s in self.steps if not s.is_complete(self.answers)), None)

    def next_step(self, current: Step) -> Step | None:
        return next((s for s in self.steps if s.number > current.number), None)

    def previous_step(self, current: Step) -> Step | None:
        earlier = [s for s in self.steps if s.number < current.number]
        return earlier[-1] if earlier else None

    def progress(self, current: Step) -> tuple[int, int]:
        """Position among the visible steps of its section: (3, 9) for 'Question 3 of 9'."""
        same_section = [s for s in self.steps if s.section == current.section]
        position = next((i for i, s in enumerate(same_section, start=1) if s.id == current.id), 1)
        return position, len(same_section)

    def progress_text(self, current: Step, language: str = DEFAULT_LANGUAGE) -> str:
        position, count = self.progress(current)
        return sections(language)[current.section].progress.format(n=position, m=count)


def answers_in_flow(answers: Answers) -> dict[str, Any]:
    """Only the answers the visible steps asked for, plus every safety answer ever given."""
    kept = {}
    for step in visible_steps(answers):
        keys = {"notice": (step.seen_key,), "repeat": (step.id, step.done_key)}.get(
            step.kind, step.questions)
        kept.update({k: answers[k] for k in keys if k in answers})
    safety_keys = [k for k in answers if k.startswith(("asq_", "safety_", "help_now_"))]
    kept.update({k: answers[k] for k in safety_keys})
    return kept
