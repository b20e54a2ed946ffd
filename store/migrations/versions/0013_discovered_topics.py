"""discovered topics and the mentions' compact embeddings

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 05:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import store.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Complaint topics found by clustering the mentions' vectors; a merged topic stays as a
    # row pointing at the topic it went into.
    op.create_table(
        "discovered_topic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("centroid", sa.LargeBinary(), nullable=False),
        sa.Column("seed", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("named_by_staff", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["merged_into"], ["discovered_topic.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    # One row per scored mention: its float16 unit vector and the topic it was assigned.
    op.create_table(
        "mention_topic",
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("assigned_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["mention_id"], ["mention.id"]),
        sa.ForeignKeyConstraint(["topic_id"], ["discovered_topic.id"]),
        sa.PrimaryKeyConstraint("mention_id"),
    )
    with op.batch_alter_table("mention_topic", schema=None) as batch_op:
        batch_op.create_index("ix_mention_topic_topic", ["topic_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mention_topic", schema=None) as batch_op:
        batch_op.drop_index("ix_mention_topic_topic")
    op.drop_table("mention_topic")
    op.drop_table("discovered_topic")
