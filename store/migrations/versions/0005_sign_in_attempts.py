"""sign-in attempts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import store.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The board's sign-in audit trail; failed sign-ins counted here lock a username or a
    # client address across reloads and board processes.
    op.create_table('signinevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('signinevent', schema=None) as batch_op:
        batch_op.create_index('ix_signinevent_address_at', ['address', 'at'], unique=False)
        batch_op.create_index('ix_signinevent_username_at', ['username', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('signinevent', schema=None) as batch_op:
        batch_op.drop_index('ix_signinevent_username_at')
        batch_op.drop_index('ix_signinevent_address_at')

    op.drop_table('signinevent')
