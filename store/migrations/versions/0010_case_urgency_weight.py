"""case urgency weight and SLA window

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The queue adds urgency when it is read: case.priority keeps the part that does not age,
    # urgency_weight and sla_minutes the time term's weight and the running SLA window. Rows
    # stored before keep their priority and age no further (weight 0).
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("urgency_weight", sa.Float(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("sla_minutes", sa.Integer(), nullable=True))
        batch_op.drop_index("ix_case_queue")
        batch_op.create_index(
            "ix_case_queue",
            ["is_open", "stage", "source", "topic", "assignee"]
            + ["priority", "urgency_weight", "sla_due", "sla_minutes"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_index("ix_case_queue")
        batch_op.create_index("ix_case_queue", ["is_open", "priority"], unique=False)
        batch_op.drop_column("sla_minutes")
        batch_op.drop_column("urgency_weight")
