"""Encrypt answers and reference codes at rest: drafts' and submissions' answers become Fernet
tokens (text), and a submission's code is kept encrypted (code_encrypted) and as a keyed HMAC
(code_hmac, unique, for lookup) instead of in the clear. Existing rows are converted under
ANSWERS_ENCRYPTION_KEY; downgrading decrypts them again (under it or the previous key).

This revision does what screening/encryption.py did when it was written, without importing it:
a revision is a frozen record, and the app's code may change after it.

Revision ID: 6600f6626c7b
Revises: 5b1f0c2e7a41
Create Date: 2026-12-02 17:58:40.100388

"""
import base64
import hashlib
import hmac
import json

from alembic import context, op
import sqlalchemy as sa
from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

# revision identifiers, used by Alembic.
revision = '6600f6626c7b'
down_revision = '5b1f0c2e7a41'
branch_labels = None
depends_on = None

LOOKUP_KEY_INFO = b"intake-screening reference code lookup v1"
BATCH = 500


def _keys():
    if context.is_offline_mode():
        raise RuntimeError("This revision encrypts existing rows: run it against the database "
                           "(flask db upgrade), not with --sql.")
    current = current_app.config["ANSWERS_ENCRYPTION_KEY"]  # checked at start-up
    previous = current_app.config.get("ANSWERS_ENCRYPTION_PREVIOUS_KEY")
    ring = MultiFernet([Fernet(current)] + ([Fernet(previous)] if previous else []))
    lookup_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                      info=LOOKUP_KEY_INFO).derive(base64.urlsafe_b64decode(current))
    return ring, lookup_key


def _compact(json_text):
    return json.dumps(json.loads(json_text), ensure_ascii=False, separators=(",", ":"))


def _in_batches(connection, query):
    last_id = 0
    while True:
        rows = connection.execute(sa.text(query), {"after": last_id, "batch": BATCH}).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1][0]


def _text_type_change(batch_op, column, to_type, using):
    kwargs = {"postgresql_using": using} if op.get_bind().dialect.name == "postgresql" else {}
    batch_op.alter_column(column, existing_type=sa.JSON() if to_type is sa.Text else sa.Text(),
                          type_=to_type(), existing_nullable=False, **kwargs)


def upgrade():
    ring, lookup_key = _keys()
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        _text_type_change(batch_op, 'answers', sa.Text, 'answers::text')

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_hmac', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('code_encrypted', sa.Text(), nullable=True))
        _text_type_change(batch_op, 'answers', sa.Text, 'answers::text')

    connection = op.get_bind()
    for rows in _in_batches(connection, "SELECT id, answers FROM drafts WHERE id > :after "
                                        "ORDER BY id LIMIT :batch"):
        connection.execute(sa.text("UPDATE drafts SET answers = :answers WHERE id = :id"), [
            {"id": id_, "answers": ring.encrypt(_compact(answers).encode()).decode()}
            for id_, answers in rows])
    for rows in _in_batches(connection, "SELECT id, answers, code FROM submissions "
                                        "WHERE id > :after ORDER BY id LIMIT :batch"):
        connection.execute(sa.text(
            "UPDATE submissions SET answers = :answers, code_encrypted = :code_encrypted, "
            "code_hmac = :code_hmac WHERE id = :id"), [
            {"id": id_, "answers": ring.encrypt(_compact(answers).encode()).decode(),
             "code_encrypted": ring.encrypt(code.encode()).decode(),
             "code_hmac": hmac.new(lookup_key, code.encode(), hashlib.sha256).hexdigest()}
            for id_, answers, code in rows])

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.alter_column('code_hmac', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('code_encrypted', existing_type=sa.Text(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_submissions_code'))
        batch_op.create_index(batch_op.f('ix_submissions_code_hmac'), ['code_hmac'], unique=True)
        batch_op.drop_column('code')


def downgrade():
    ring, _lookup_key = _keys()
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.VARCHAR(length=8), nullable=True))

    connection = op.get_bind()
    for rows in _in_batches(connection, "SELECT id, answers FROM drafts WHERE id > :after "
                                        "ORDER BY id LIMIT :batch"):
        connection.execute(sa.text("UPDATE drafts SET answers = :answers WHERE id = :id"), [
            {"id": id_, "answers": ring.decrypt(answers.encode()).decode()}
            for id_, answers in rows])
    for rows in _in_batches(connection, "SELECT id, answers, code_encrypted FROM submissions "
                                        "WHERE id > :after ORDER BY id LIMIT :batch"):
        connection.execute(sa.text(
            "UPDATE submissions SET answers = :answers, code = :code WHERE id = :id"), [
            {"id": id_, "answers": ring.decrypt(answers.encode()).decode(),
             "code": ring.decrypt(code.encode()).decode()}
            for id_, answers, code in rows])

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.alter_column('code', existing_type=sa.VARCHAR(length=8), nullable=False)
        batch_op.drop_index(batch_op.f('ix_submissions_code_hmac'))
        batch_op.create_index(batch_op.f('ix_submissions_code'), ['code'], unique=True)
        _text_type_change(batch_op, 'answers', sa.JSON, 'answers::json')
        batch_op.drop_column('code_encrypted')
        batch_op.drop_column('code_hmac')

    with op.batch_alter_table('drafts', schema=None) as batch_op:
        _text_type_change(batch_op, 'answers', sa.JSON, 'answers::json')
