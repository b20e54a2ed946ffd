"""incidents as objects: scope, commander, updates, root cause and fix, affected critics

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 05:30:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import store.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_INCIDENT_TEXT = ("holding_reply", "root_cause", "fix")


def upgrade() -> None:
    # Incidents stored before this revision have no commander, no holding reply and no scope
    # beyond their topic: the board shows them as taken by nobody.
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(
            sa.Column("commander", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True)
        )
        for name in _INCIDENT_TEXT:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("fixed_at", store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("fixed_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True)
        )
        batch_op.add_column(
            sa.Column("ended_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True)
        )

    op.create_table(
        "incidentupdate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("outbox_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("incidentupdate", schema=None) as batch_op:
        batch_op.create_index("ix_incidentupdate_incident_at", ["incident_id", "at"], unique=False)

    # A standalone post (a status update on the brand's own channel) answers no case.
    with op.batch_alter_table("outboxitem", schema=None) as batch_op:
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("incident_update_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_outboxitem_incident_update", "incidentupdate", ["incident_update_id"], ["id"]
        )
        batch_op.create_unique_constraint(
            "uq_outboxitem_update_platform", ["incident_update_id", "platform"]
        )

    op.create_table(
        "incidentcase",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("tagged_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("followup_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["followup_id"], ["outboxitem.id"]),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("incident_id", "case_id"),
    )
    with op.batch_alter_table("incidentcase", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidentcase_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incidentcase", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidentcase_case_id"))
    op.drop_table("incidentcase")
    op.execute("DELETE FROM outboxitem WHERE case_id IS NULL")
    with op.batch_alter_table("outboxitem", schema=None) as batch_op:
        batch_op.drop_constraint("uq_outboxitem_update_platform", type_="unique")
        batch_op.drop_constraint("fk_outboxitem_incident_update", type_="foreignkey")
        batch_op.drop_column("incident_update_id")
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("incidentupdate", schema=None) as batch_op:
        batch_op.drop_index("ix_incidentupdate_incident_at")
    op.drop_table("incidentupdate")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        for name in ("ended_by", "fixed_by", "fixed_at", *reversed(_INCIDENT_TEXT)):
            batch_op.drop_column(name)
        batch_op.drop_column("commander")
        batch_op.drop_column("platform")
        batch_op.drop_column("region")
