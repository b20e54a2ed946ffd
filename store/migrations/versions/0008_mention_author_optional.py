"""mention author optional

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import store.types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A post whose platform did not say who wrote it is stored with no author, never under a
    # placeholder shared with other such posts.
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.alter_column('author_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.alter_column('author_id', existing_type=sa.Integer(), nullable=False)
