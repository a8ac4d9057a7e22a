"""Drafts count their saves, so a save can be written over the version it read.

Revision ID: 7d2e4b9c1a05
Revises: 6600f6626c7b
Create Date: 2026-12-03 08:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7d2e4b9c1a05'
down_revision = '6600f6626c7b'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('drafts', sa.Column('version', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('drafts') as batch_op:
        batch_op.drop_column('version')
