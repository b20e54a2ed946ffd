"""outbox

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import store.types


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Replies on their way to a platform: draft to sent, one idempotency key per approval,
    # the attempt and lease that make a send happen once, the echo's link.
    op.create_table('outboxitem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('mention_id', sa.Integer(), nullable=True),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('in_reply_to', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
    sa.Column('private', sa.Boolean(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('drafted_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('drafted_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('approved_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('updated_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('first_attempt_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempt_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_attempt_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('uncertain', sa.Boolean(), nullable=False),
    sa.Column('lease_owner', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('lease_until', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('platform_post_id', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('sent_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('echo_mention_id', sa.Integer(), nullable=True),
    sa.Column('counted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.ForeignKeyConstraint(['echo_mention_id'], ['mention.id'], ),
    sa.ForeignKeyConstraint(['mention_id'], ['mention.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('outboxitem', schema=None) as batch_op:
        batch_op.create_index('ix_outboxitem_case', ['case_id', 'id'], unique=False)
        batch_op.create_index('ix_outboxitem_platform_post', ['platform', 'platform_post_id'], unique=False)
        batch_op.create_index('ix_outboxitem_state_next', ['state', 'next_attempt_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outboxitem', schema=None) as batch_op:
        batch_op.drop_index('ix_outboxitem_state_next')
        batch_op.drop_index('ix_outboxitem_platform_post')
        batch_op.drop_index('ix_outboxitem_case')

    op.drop_table('outboxitem')
