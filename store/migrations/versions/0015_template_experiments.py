"""template experiments and each case's variant

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 05:30:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import store.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The variant each case was given, once; the experiment's page counts outcomes by variant.
    op.create_table(
        "experiment_assignment",
        sa.Column("experiment", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("variant", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("assigned_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("experiment", "case_id"),
    )
    with op.batch_alter_table("experiment_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_experiment_assignment_case_id"), ["case_id"], unique=False
        )
    # A lead's stop: who, when and why.
    op.create_table(
        "experiment_stop",
        sa.Column("experiment", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("stopped_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stopped_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("experiment"),
    )


def downgrade() -> None:
    op.drop_table("experiment_stop")
    with op.batch_alter_table("experiment_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experiment_assignment_case_id"))
    op.drop_table("experiment_assignment")
