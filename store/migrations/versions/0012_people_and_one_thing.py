"""people linking accounts, and the critic's one thing on a case

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 05:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import store.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Staff link accounts (on one platform or several) as one person: the case page then
    # reads the relationship across them. An account belongs to one person at most.
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "personaccount",
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("linked_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["author.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("author_id"),
    )
    with op.batch_alter_table("personaccount", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personaccount_person_id"), ["person_id"], unique=False)
    # The audit of linking and unlinking, kept when a person is gone.
    op.create_table(
        "personevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("other_author_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["author.id"]),
        sa.ForeignKeyConstraint(["other_author_id"], ["author.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("personevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personevent_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_personevent_person_at", ["person_id", "at"], unique=False)
    # What would fix it for the critic: NULL on every case stored before.
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("one_thing", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("one_thing")
    with op.batch_alter_table("personevent", schema=None) as batch_op:
        batch_op.drop_index("ix_personevent_person_at")
        batch_op.drop_index(batch_op.f("ix_personevent_author_id"))
    op.drop_table("personevent")
    with op.batch_alter_table("personaccount", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personaccount_person_id"))
    op.drop_table("personaccount")
    op.drop_table("person")
