"""deletion tombstones

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import store.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A deletion notice that arrives before its post is kept here; the post is stored
    # deleted, its text purged, when it comes.
    op.create_table('tombstone',
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
    sa.Column('deleted_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('source', 'external_id')
    )
    with op.batch_alter_table('tombstone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tombstone_deleted_at'), ['deleted_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tombstone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tombstone_deleted_at'))

    op.drop_table('tombstone')
