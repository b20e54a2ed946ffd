"""goodwill requests over budget, for a lead to approve or decline

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 05:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import store.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Goodwill an agent asked for over the budgets: pending until a lead approves (then it is
    # given and ledgered) or declines it with a reason.
    op.create_table(
        "goodwillrequest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("over", sa.JSON(), nullable=False),
        sa.Column("requested_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("decided_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("goodwillrequest", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_goodwillrequest_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            "ix_goodwillrequest_state_at", ["state", "requested_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("goodwillrequest", schema=None) as batch_op:
        batch_op.drop_index("ix_goodwillrequest_state_at")
        batch_op.drop_index(batch_op.f("ix_goodwillrequest_case_id"))
    op.drop_table("goodwillrequest")
