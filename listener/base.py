"""The contract every collector meets, and the one shape of what it yields.

A :class:`Source` only knows how to read its platform: ``fetch(cursor)`` connects or polls
once and yields :class:`Fetched` items in delivery order, each carrying the resume position
reached *after* it. Everything else (batching, dedup, matching, language, backoff, cursor
saving, shutdown) lives once, in :mod:`listener.loop`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from core.clock import SYSTEM_CLOCK, Clock
from core.records import AuthorRecord, MentionRecord

__all__ = ["DELETED_AUTHOR", "Fetched", "Source", "deletion_notice"]


@dataclass(frozen=True)
class Fetched:
    """One thing a source read.

    ``record`` is None for a frame that moved the position without being a post we keep
    (a non-post event, a frame that could not be read: then ``problem`` says why).
    ``edit`` marks a new version of a post that may already be stored.
    ``matched_by_platform`` marks a result of the platform's own keyword search: the platform
    found the brand in it (perhaps through a plural or a link), so the loop keeps it without
    matching it again; listings and streams leave it False and are matched locally.
    """

    record: MentionRecord | None
    position: str | None = None
    edit: bool = False
    problem: str | None = None
    matched_by_platform: bool = False


@runtime_checkable
class Source(Protocol):
    """A platform collector.

    ``name`` is the cursor's name in the store (unique per configured stream);
    ``platform`` groups streams for the status line; ``poll_interval`` is None for a push
    stream (``fetch`` runs until the connection ends) or the seconds between polls (each
    ``fetch`` returns one poll's items). ``prefiltered`` says the platform already matched
    the brand (X stream rules), so the loop does not match again.

    A source may also set ``keep_tombstones = False`` when its deletion notices cover far more
    than the brand's posts (Bluesky's Jetstream sends every deletion on the network): a notice
    for a post not stored is then forgotten instead of kept as a tombstone.
    """

    name: str
    platform: str
    poll_interval: float | None
    prefiltered: bool

    def fetch(self, cursor: str | None) -> Iterator[Fetched]:
        """Yield what the platform delivers from ``cursor`` on (None: start at now)."""
        ...

    def close(self) -> None:
        """Unblock a running ``fetch`` (called from another thread on shutdown)."""
        ...


#: Deletion notices rarely say who wrote the post; the writer never stores this author.
DELETED_AUTHOR = "[deleted]"


def deletion_notice(source: str, external_id: str, *, clock: Clock = SYSTEM_CLOCK) -> MentionRecord:
    """A record that tells the writer to mark ``(source, external_id)`` deleted and purge it."""
    return MentionRecord(
        source=source,
        external_id=external_id,
        author=AuthorRecord(platform=source, platform_id=DELETED_AUTHOR, handle=DELETED_AUTHOR),
        text="",
        created_at=clock.now(),
        deleted=True,
    )
