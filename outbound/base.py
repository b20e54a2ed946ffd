"""The one protocol every platform's sender follows, and what goes in and comes out of it.

A sender is the only code that writes to a platform. It knows how to post a public reply or a
private message with the platform's own client library, and a standalone post on the brand's own
channel (an incident's status update: :meth:`Sender.post`), and how to look for a post it may
have made already (``find_sent``, ``find_post``), so a send whose result was never recorded is
reconciled before it is tried again. Errors are the product's: ``SourceRateLimited`` (carries
``reset_at``) and ``SourceUnavailable`` are transient and retried with backoff;
:class:`SendRejected` is the platform's final word (post deleted, author blocked the brand,
messages closed, duplicate) and is recorded as failed, never retried blindly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.errors import SourceError


@dataclass(frozen=True)
class OutgoingReply:
    """What to post: one approved outbox row, as a sender needs it."""

    #: The outbox row's idempotency key: one per approval, never reused.
    idempotency_key: str
    platform: str
    text: str
    #: A private message to the author instead of a public reply.
    private: bool
    #: The platform's id of the post answered (tweet id, Reddit fullname ``t1_…``/``t3_…``,
    #: Mastodon status id, Bluesky ``at://`` URI).
    in_reply_to: str | None
    #: Bluesky: the thread's root post URI (the parent is ``in_reply_to``); None elsewhere.
    thread_root: str | None
    #: The author's platform id and handle, for private messages and handles in the text.
    recipient_id: str | None
    recipient_handle: str | None


@dataclass(frozen=True)
class OutgoingPost:
    """A standalone post on the brand's own channel (no post answered, no recipient)."""

    #: The outbox row's idempotency key: one per approval, never reused.
    idempotency_key: str
    platform: str
    text: str

    def as_reply(self) -> OutgoingReply:
        """The post as a public reply answering nothing: how senders that reconcile replies
        find a standalone post too."""
        return OutgoingReply(
            idempotency_key=self.idempotency_key,
            platform=self.platform,
            text=self.text,
            private=False,
            in_reply_to=None,
            thread_root=None,
            recipient_id=None,
            recipient_handle=None,
        )


@dataclass(frozen=True)
class SentReceipt:
    """What the platform answered: the id and the URL of what was posted."""

    platform_id: str
    url: str | None


class SendRejected(SourceError):
    """The platform refused this reply for good; ``reason`` is in the platform's own words."""

    def __init__(self, reason: str, *, source: str | None = None) -> None:
        super().__init__(reason, source=source)
        self.reason = reason


class Sender(Protocol):
    """Posts replies on one platform."""

    #: The platform's name as mentions store it: ``x``, ``reddit``, ``mastodon``, ``bluesky``.
    platform: str

    def send(self, reply: OutgoingReply) -> SentReceipt:
        """Post ``reply`` once; raise ``SendRejected`` or a transient ``SourceError``."""
        ...

    def find_sent(self, reply: OutgoingReply, *, since: datetime) -> SentReceipt | None:
        """The brand's post for ``reply`` if it was made after ``since`` (reconciliation)."""
        ...

    def post(self, post: OutgoingPost) -> SentReceipt:
        """Post ``post`` once on the brand's own channel; errors as for :meth:`send`."""
        ...

    def find_post(self, post: OutgoingPost, *, since: datetime) -> SentReceipt | None:
        """The brand's standalone post for ``post`` if made after ``since`` (reconciliation)."""
        ...
