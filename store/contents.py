"""Which mentions a database holds, by key: how the demo tells its own database from a real one.

``critic2fan demo`` loads its sample only into an empty database or one holding nothing but that
sample; it compares these keys with the sample's.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlmodel import col

from store.models import Mention


def mention_keys_up_to(conn: Connection, limit: int) -> set[tuple[str, str]] | None:
    """The ``(source, external id)`` of every stored mention, or None when more than ``limit``
    are stored (so a large database is never read whole)."""
    count = conn.execute(select(func.count()).select_from(Mention)).scalar_one()
    if int(count) > limit:
        return None
    rows = conn.execute(select(col(Mention.source), col(Mention.external_id))).all()
    return {(str(source), str(external_id)) for source, external_id in rows}
