"""mention language confidence

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows stored before this revision keep NULL: a language they carry is trusted like a
    # platform's tag, and a NULL language stays unknown (scored as usual).
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lang_confidence', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.drop_column('lang_confidence')
