"""source gaps

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import store.types


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A time range a collector could not read (a stale cursor, a stream that was down, a
    # listing that moved past its window): shown on the board and in the digest.
    op.create_table('sourcegap',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('gap_start', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('gap_end', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('recorded_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('backfilled_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sourcegap', schema=None) as batch_op:
        batch_op.create_index('ix_sourcegap_end', ['gap_end'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sourcegap', schema=None) as batch_op:
        batch_op.drop_index('ix_sourcegap_end')

    op.drop_table('sourcegap')
