"""Every database read and write the patient pages need; views never touch the session."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Text, bindparam, delete, func, literal, select, type_coerce, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from screening.clock import utcnow
from screening.database import db, reclaim_space, write_connection, write_transaction
from screening.domain import answers as answer_model
from screening.domain import bounds, codes, flow, summary
from screening.encryption import keys
from screening.models import Draft, DraftStart, Submission
from screening.tokens import new_token, token_hash

DRAFT_START_WINDOW = timedelta(minutes=1)


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
    version: int = 0


# Every patient request reads this: one row that also says whether the draft was sent. Built
# once, with the token's hash as its parameter.
_DRAFT_STATE = (
    select(Draft.answers, Draft.language, Draft.updated_at, Submission.id.is_not(None),
           Draft.version)
    .outerjoin(Submission, Submission.draft_key == Draft.token_hash)
    .where(Draft.token_hash == bindparam("token_hash"))
)


# A save over the version the request read: matches no row if another save landed since.
_SAVE_OVER_VERSION = (
    update(Draft.__table__)
    .where(Draft.token_hash == bindparam("draft_token_hash"),
           Draft.version == bindparam("read_version"))
    .values(answers=bindparam("new_answers"), updated_at=bindparam("saved_at"),
            version=bindparam("new_version"))
)


def find_draft(token: str | None, max_age_hours: int) -> DraftState | None:
    if not token:
        return None
    # A connection of its own, not the ORM session: one row of plain values, and the session's
    # bookkeeping cost every patient request more than the query itself.
    with db.engine.connect() as connection:
        row = connection.execute(_DRAFT_STATE, {"token_hash": token_hash(token)}).first()
    if row is None:
        return None
    draft = DraftState(answers=row[0] or {}, language=row[1], updated_at=row[2],
                       submitted=bool(row[3]), version=row[4])
    if draft.updated_at < utcnow() - timedelta(hours=max_age_hours):
        return None
    return draft


class TooManyDrafts(Exception):
    """This client address started its allowance of new drafts in the last minute."""


def create_draft(token: str, language: str = "en", address_key: str | None = None,
                 per_minute: int | None = None) -> None:
    """A new, empty draft. With `address_key` (a keyed hash of the client's address) and
    `per_minute`, at most that many new drafts per address in any 60 seconds, counted in the
    database so every worker agrees; rows older than the minute are deleted here."""
    with write_transaction() as session:
        if address_key is not None and per_minute:
            now = utcnow()
            session.execute(delete(DraftStart).where(DraftStart.at <= now - DRAFT_START_WINDOW))
            started = session.scalar(select(func.count()).select_from(DraftStart).where(
                DraftStart.address_key == address_key))
            if started >= per_minute:
                raise TooManyDrafts()
            session.add(DraftStart(address_key=address_key, at=now))
        session.add(Draft(token_hash=token_hash(token), answers={}, language=language))


def move_draft(old_token: str, new_token: str) -> None:
    """Give the draft under `old_token` a new token; the old one opens nothing any more.

    Called when a patient starts or continues, so a draft cookie planted in their browser beforehand
    (whose token someone else knows) does not collect what they type from then on.
    """
    with write_transaction() as session:
        session.execute(update(Draft).where(Draft.token_hash == token_hash(old_token))
                        .values(token_hash=token_hash(new_token), updated_at=utcnow()))


def save_answers(token: str, new_answers: dict, known: DraftState | None = None) -> dict:
    """Merge one step's answers into the draft in its own committed transaction; returns all.

    The safety history is appended here, so two tabs answering the same safety question both land
    in it, in order (domain.answers.saved). `known`, the draft as this request read it, saves a
    second read (_change_answers)."""
    # Bounded before writing (domain.bounds); TooMuchToStore leaves the draft as it was.
    return _change_answers(token, known, lambda answers, now: bounds.storable(
        answer_model.saved(answers, new_answers, now)))


def _change_answers(token: str, known: DraftState | None,
                    change: Callable[[dict, datetime], dict]) -> dict:
    """Write change(answers, now) to the draft under `token`; returns what was written.

    First over the version the request read (`known`), holding SQLite's write lock only for one
    UPDATE: this is every patient's every tap, so it must be short. If another save landed since,
    that UPDATE matches no row, and the change is applied again to the draft as it now is, read
    under the lock (FOR UPDATE: on PostgreSQL a concurrent save waits for it; SQLite: BEGIN
    IMMEDIATE), so neither save is lost. Either way `now` is taken after the read, so the times in
    the safety history follow the order of the saves.
    """
    if known is not None:
        now = utcnow()
        answers = change(known.answers, now)
        with write_connection() as connection:
            written = connection.execute(_SAVE_OVER_VERSION, {
                "draft_token_hash": token_hash(token), "read_version": known.version,
                "new_answers": answers, "saved_at": now, "new_version": known.version + 1}).rowcount
        if written:
            return answers
    with write_transaction() as session:
        draft = session.scalar(
            select(Draft).where(Draft.token_hash == token_hash(token)).with_for_update()
        )
        if draft is None:
            draft = Draft(token_hash=token_hash(token), answers={})
            session.add(draft)
        now = utcnow()
        draft.answers = answers = change(draft.answers or {}, now)
        draft.updated_at = now
    return answers


def send_early(token: str, draft: DraftState) -> Submission:
    """Send what is answered so far from the "ask for help now" page, marked as sent early; a
    second press finds the submission already made (submit is idempotent)."""
    existing = submission_for_draft(token)
    if existing is not None:
        return existing
    answers = _change_answers(token, draft, answer_model.sent_early)
    return submit(token, DraftState(answers=answers, language=draft.language,
                                    updated_at=utcnow(), submitted=False))


def set_draft_language(token: str, language: str) -> None:
    """Remember the patient's language with their answers; the answers are not touched."""
    with write_transaction() as session:
        draft = session.scalar(select(Draft).where(Draft.token_hash == token_hash(token)))
        if draft is not None:
            draft.language = language


def save_repeat_item(token: str, key: str, item_id: str, item: dict | None,
                     known: DraftState | None = None) -> None:
    """Add, replace (item) or remove (None) one entry of a repeating answer, by its id.

    The id comes from the form, so a double tap or a second tab replaces instead of duplicating.
    """
    _change_answers(token, known, lambda answers, _now: bounds.storable(
        answer_model.with_entry(answers, key, item_id, item)))


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
                    **Submission.code_columns(codes.new_code()),
                    "answers": answers,
                    "language": draft.language,
                    "instrument_version": result.instrument_version,
                    "safety_level": result.safety.level,
                    "created_at": utcnow(),
                })
            break
        except IntegrityError:  # a new code's HMAC collided with a stored one: draw again
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
        session.execute(delete(DraftStart).where(DraftStart.at <= now - DRAFT_START_WINDOW))
        cutoff = now - timedelta(hours=max_age_hours)
        return session.execute(delete(Draft).where(Draft.updated_at < cutoff)).rowcount


def purge_submissions(now: datetime, max_age_days: int) -> int:
    with write_transaction() as session:
        cutoff = now - timedelta(days=max_age_days)
        return session.execute(delete(Submission).where(Submission.created_at < cutoff)).rowcount


@dataclass(frozen=True)
class Reencrypted:
    drafts: int
    submissions: int
    already_current: int


def reencrypt(batch_size: int = 100) -> Reencrypted:
    """Encrypt every draft and submission under the current key (and recompute code HMACs).

    Rows already under the current key are left alone, so running it again is harmless. Each
    batch is one write transaction whose rows are locked, so patients can go on saving meanwhile;
    on SQLite a batch holds the write lock for a few milliseconds.
    """
    drafts = _reencrypt_table(Draft, ("answers",), batch_size)
    submissions = _reencrypt_table(Submission, ("answers", "code"), batch_size)
    return Reencrypted(drafts[0], submissions[0], drafts[1] + submissions[1])


def _raw(model, attribute: str):
    """The stored ciphertext of an encrypted column, not decrypted."""
    return type_coerce(getattr(model, attribute), Text)


def _reencrypt_table(model, attributes: tuple[str, ...], batch_size: int) -> tuple[int, int]:
    ring = keys()
    changed = unchanged = 0
    last_id = 0
    while True:
        with write_transaction() as session:
            columns = [_raw(model, name) for name in attributes]
            extra = [model.code_hmac] if model is Submission else []
            rows = session.execute(
                select(model.id, *columns, *extra).where(model.id > last_id)
                .order_by(model.id).limit(batch_size).with_for_update()).all()
            for row in rows:
                tokens = dict(zip(attributes, row[1:1 + len(attributes)], strict=True))
                values = {name: literal(ring.rotate(token), Text)
                          for name, token in tokens.items()
                          if token is not None and not ring.is_current(token)}
                if model is Submission:
                    code_hmac = ring.code_hmac(ring.decrypt(tokens["code"]).decode("utf-8"))
                    if code_hmac != row[-1]:
                        values["code_hmac"] = code_hmac
                if values:
                    session.execute(update(model).where(model.id == row[0]).values(**values)
                                    .execution_options(synchronize_session=False))
                    changed += 1
                else:
                    unchanged += 1
        if not rows:
            return changed, unchanged
        last_id = rows[-1][0]
