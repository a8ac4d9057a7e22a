"""Every database read and write the views need. Views never touch the session directly."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError

from .db import db, first_row, write_transaction
from .domain import codes, flow, summary
from .models import Draft, Submission, utcnow


class StorageBusy(Exception):
    """The database stayed locked past the busy timeout; the caller keeps the patient's answers."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_draft_token() -> str:
    return secrets.token_urlsafe(16)  # 128 bits


def new_item_id() -> str:
    return secrets.token_urlsafe(6)


class _Busy:
    """Turns a lock timeout anywhere in the write into StorageBusy."""

    def __enter__(self):
        self._tx = write_transaction()
        try:
            return self._tx.__enter__()
        except OperationalError as error:
            raise StorageBusy from error

    def __exit__(self, kind, error, trace):
        try:
            self._tx.__exit__(kind, error, trace)
        except OperationalError as raised:
            raise StorageBusy from raised
        if isinstance(error, OperationalError):
            raise StorageBusy from error
        return False


@dataclass(frozen=True)
class DraftState:
    """What a patient request needs to know of its draft, read in one query."""

    answers: dict
    language: str
    updated_at: datetime
    submitted: bool


# Every patient request reads this: one plain row that also says whether the draft was sent.
_DRAFT_STATE = (
    select(Draft.answers, Draft.language, Draft.updated_at, Submission.id.is_not(None))
    .outerjoin(Submission, Submission.draft_key == Draft.token_hash)
    .where(Draft.token_hash == bindparam("token_hash"))
)


def find_draft(token: str | None, max_age_hours: int) -> DraftState | None:
    if not token:
        return None
    row = first_row(_DRAFT_STATE, token_hash=_hash(token))
    if row is None:
        return None
    draft = DraftState(answers=row[0] or {}, language=row[1], updated_at=row[2],
                       submitted=bool(row[3]))
    if draft.updated_at < utcnow() - timedelta(hours=max_age_hours):
        return None
    return draft


def create_draft(token: str, language: str = "en") -> None:
    with _Busy() as session:
        session.add(Draft(token_hash=_hash(token), answers={}, language=language))


def save_answers(token: str, new_answers: dict) -> dict:
    """Merge one step's answers into the draft in its own committed transaction; returns all."""
    with _Busy() as session:
        # FOR UPDATE: on PostgreSQL a concurrent save of the same draft waits here instead of
        # reading the old answers and overwriting the other save (SQLite: BEGIN IMMEDIATE).
        draft = session.scalar(
            select(Draft).where(Draft.token_hash == _hash(token)).with_for_update()
        )
        if draft is None:
            draft = Draft(token_hash=_hash(token), answers={})
            session.add(draft)
        draft.answers = merged = {**(draft.answers or {}), **new_answers}
        draft.updated_at = utcnow()
    return merged


def set_draft_language(token: str, language: str) -> None:
    """Remember the patient's language with their answers; the answers are not touched."""
    with _Busy() as session:
        draft = session.scalar(select(Draft).where(Draft.token_hash == _hash(token)))
        if draft is not None:
            draft.language = language


def save_repeat_item(token: str, key: str, item_id: str, item: dict | None) -> None:
    """Add, replace (item) or remove (None) one entry of a repeating answer, by its id.

    The id comes from the form, so a double tap or a second tab replaces instead of duplicating.
    """
    with _Busy() as session:
        # FOR UPDATE: on PostgreSQL a concurrent save of the same draft waits here instead of
        # reading the old answers and overwriting the other save (SQLite: BEGIN IMMEDIATE).
        draft = session.scalar(
            select(Draft).where(Draft.token_hash == _hash(token)).with_for_update()
        )
        entries = [e for e in (draft.answers or {}).get(key, []) if e.get("_id") != item_id]
        if item is not None:
            position = _position_of(draft.answers.get(key, []), item_id, len(entries))
            entries.insert(position, {**item, "_id": item_id})
        draft.answers = {**draft.answers, key: entries}
        draft.updated_at = utcnow()


def _position_of(entries: list, item_id: str, default: int) -> int:
    return next((i for i, e in enumerate(entries) if e.get("_id") == item_id), default)


def discard_draft(token: str | None) -> None:
    if not token:
        return
    with _Busy() as session:
        session.execute(delete(Draft).where(Draft.token_hash == _hash(token)))


def submission_for_draft(token: str | None) -> Submission | None:
    if not token:
        return None
    return db.session.scalar(select(Submission).where(Submission.draft_key == _hash(token)))


def submission_by_public_id(public_id: str) -> Submission | None:
    return db.session.scalar(select(Submission).where(Submission.public_id == public_id))


def submission_by_code(code: str) -> Submission | None:
    return db.session.scalar(select(Submission).where(Submission.code == code))


def _insert_ignoring_duplicate_draft(session, values: dict) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Submission).values(**values).on_conflict_do_nothing(
        index_elements=["draft_key"]
    )
    session.execute(statement)


def submit(token: str, draft: DraftState) -> Submission:
    """Exactly one submission per draft, however often or concurrently submit is pressed."""
    answers = flow.answers_in_flow(draft.answers)
    # The instrument version recorded is the form the patient answered (English or Spanish).
    result = summary.build(answers, language=draft.language or "en")
    for _attempt in range(5):
        try:
            with _Busy() as session:
                _insert_ignoring_duplicate_draft(session, {
                    "public_id": secrets.token_urlsafe(32),
                    "draft_key": _hash(token),
                    "code": codes.new_code(),
                    "answers": answers,
                    "language": draft.language,
                    "instrument_version": result.instrument_version,
                    "safety_level": result.safety.level,
                    "created_at": utcnow(),
                })
            break
        except IntegrityError:  # a new code collided with a stored one: draw again
            continue
    return submission_for_draft(token)


def purge_drafts(now: datetime, max_age_hours: int) -> int:
    with _Busy() as session:
        cutoff = now - timedelta(hours=max_age_hours)
        return session.execute(delete(Draft).where(Draft.updated_at < cutoff)).rowcount


def purge_submissions(now: datetime, max_age_days: int) -> int:
    with _Busy() as session:
        cutoff = now - timedelta(days=max_age_days)
        return session.execute(delete(Submission).where(Submission.created_at < cutoff)).rowcount
