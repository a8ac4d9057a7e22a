"""Every database read and write the patient pages need; views never touch the session."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from screening.clock import utcnow
from screening.database import db, reclaim_space, write_transaction
from screening.domain import answers as answer_model
from screening.domain import codes, flow, summary
from screening.models import Draft, Submission
from screening.tokens import new_token, token_hash


def new_draft_token() -> str:
    return new_token(16)  # 128 bits


def new_item_id() -> str:
    return new_token(6)


@dataclass(frozen=True)
class DraftState:
    """What a patient request needs to know of its draft, read in one query."""

    answers: dict
    language: str
    updated_at: datetime
    submitted: bool


# Every patient request reads this: one row that also says whether the draft was sent.
_DRAFT_STATE = (
    select(Draft.answers, Draft.language, Draft.updated_at, Submission.id.is_not(None))
    .outerjoin(Submission, Submission.draft_key == Draft.token_hash)
)


def find_draft(token: str | None, max_age_hours: int) -> DraftState | None:
    if not token:
        return None
    statement = _DRAFT_STATE.where(Draft.token_hash == token_hash(token))
    row = db.session.execute(statement).first()
    if row is None:
        return None
    draft = DraftState(answers=row[0] or {}, language=row[1], updated_at=row[2],
                       submitted=bool(row[3]))
    if draft.updated_at < utcnow() - timedelta(hours=max_age_hours):
        return None
    return draft


def create_draft(token: str, language: str = "en") -> None:
    with write_transaction() as session:
        session.add(Draft(token_hash=token_hash(token), answers={}, language=language))


def save_answers(token: str, new_answers: dict) -> dict:
    """Merge one step's answers into the draft in its own committed transaction; returns all.

    The safety history is appended here, under the row lock, so two tabs answering the same
    safety question both land in it, in order (domain.answers.saved)."""
    with write_transaction() as session:
        # FOR UPDATE: on PostgreSQL a concurrent save of the same draft waits here instead of
        # reading the old answers and overwriting the other save (SQLite: BEGIN IMMEDIATE).
        draft = session.scalar(
            select(Draft).where(Draft.token_hash == token_hash(token)).with_for_update()
        )
        if draft is None:
            draft = Draft(token_hash=token_hash(token), answers={})
            session.add(draft)
        now = utcnow()
        draft.answers = merged = answer_model.saved(draft.answers or {}, new_answers, now)
        draft.updated_at = now
    return merged


def send_early(token: str, draft: DraftState) -> Submission:
    """Send what is answered so far from the "ask for help now" page, marked as sent early; a
    second press finds the submission already made (submit is idempotent)."""
    existing = submission_for_draft(token)
    if existing is not None:
        return existing
    with write_transaction() as session:
        row = session.scalar(
            select(Draft).where(Draft.token_hash == token_hash(token)).with_for_update()
        )
        now = utcnow()
        row.answers = answers = answer_model.sent_early(row.answers or {}, now)
        row.updated_at = now
    return submit(token, DraftState(answers=answers, language=draft.language,
                                    updated_at=now, submitted=False))


def set_draft_language(token: str, language: str) -> None:
    """Remember the patient's language with their answers; the answers are not touched."""
    with write_transaction() as session:
        draft = session.scalar(select(Draft).where(Draft.token_hash == token_hash(token)))
        if draft is not None:
            draft.language = language


def save_repeat_item(token: str, key: str, item_id: str, item: dict | None) -> None:
    """Add, replace (item) or remove (None) one entry of a repeating answer, by its id.

    The id comes from the form, so a double tap or a second tab replaces instead of duplicating.
    """
    with write_transaction() as session:
        # FOR UPDATE: on PostgreSQL a concurrent save of the same draft waits here instead of
        # reading the old answers and overwriting the other save (SQLite: BEGIN IMMEDIATE).
        draft = session.scalar(
            select(Draft).where(Draft.token_hash == token_hash(token)).with_for_update()
        )
        draft.answers = answer_model.with_entry(draft.answers or {}, key, item_id, item)
        draft.updated_at = utcnow()


def discard_draft(token: str | None) -> None:
    if not token:
        return
    with write_transaction() as session:
        session.execute(delete(Draft).where(Draft.token_hash == token_hash(token)))


def submission_for_draft(token: str | None) -> Submission | None:
    if not token:
        return None
    return db.session.scalar(select(Submission).where(Submission.draft_key == token_hash(token)))


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
            with write_transaction() as session:
                _insert_ignoring_duplicate_draft(session, {
                    "public_id": new_token(32),
                    "draft_key": token_hash(token),
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


def purge(now: datetime, draft_hours: int, submission_days: int) -> tuple[int, int]:
    """Delete drafts and submissions past their retention, then give the space back; returns
    how many of each were deleted."""
    counts = purge_drafts(now, draft_hours), purge_submissions(now, submission_days)
    reclaim_space()
    return counts


def purge_drafts(now: datetime, max_age_hours: int) -> int:
    with write_transaction() as session:
        cutoff = now - timedelta(hours=max_age_hours)
        return session.execute(delete(Draft).where(Draft.updated_at < cutoff)).rowcount


def purge_submissions(now: datetime, max_age_days: int) -> int:
    with write_transaction() as session:
        cutoff = now - timedelta(days=max_age_days)
        return session.execute(delete(Submission).where(Submission.created_at < cutoff)).rowcount
