"""Audit rows cannot be rewritten by INSERT OR REPLACE / REPLACE INTO (an insert may never reuse
an id already in the log), and new drafts are counted per client address per minute.

Revision ID: 5b1f0c2e7a41
Revises: 3388d50da748
Create Date: 2026-12-02 18:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b1f0c2e7a41'
down_revision = '3388d50da748'
branch_labels = None
depends_on = None

# Copies of the statements in screening/staff/models.py, kept here as they were at this revision.
APPEND_ONLY = "audit log is append-only"
SQLITE_TRIGGER = (
    "CREATE TRIGGER audit_events_no_rewrite BEFORE INSERT ON audit_events "
    "WHEN EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id) "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")
POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION audit_events_new_id_only() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    "IF EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id) THEN "
    f"RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'insufficient_privilege'; "
    "END IF; RETURN NEW; END; $$")
POSTGRES_TRIGGER = (
    "CREATE TRIGGER audit_events_no_rewrite BEFORE INSERT ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_new_id_only()")


def upgrade():
    op.create_table('draft_starts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address_key', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('draft_starts', schema=None) as batch_op:
        batch_op.create_index('ix_draft_starts_address_key_at', ['address_key', 'at'],
                              unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(SQLITE_TRIGGER)
    elif dialect == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_rewrite")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_rewrite ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_new_id_only()")
    with op.batch_alter_table('draft_starts', schema=None) as batch_op:
        batch_op.drop_index('ix_draft_starts_address_key_at')
    op.drop_table('draft_starts')
