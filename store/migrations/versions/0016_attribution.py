"""what each case received, for attributing outcomes

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 05:30:00.000000
"""

from alembic import op  # noqa: F401

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
