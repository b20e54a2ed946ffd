"""Bluesky (atproto 0.0.73): replies as post records with a reply reference, the brand's own
posts as records without one, private replies by chat.

Bluesky has no idempotency key, but a record's key (``rkey``) is the caller's to choose: each
reply is created under a key derived from the outbox row's idempotency key
(:func:`record_key`), so a retry can never make a second post: the PDS refuses a record
that already exists, and the sender then answers with the one already there. Reconciliation
is the same lookup: ``getRecord`` of that key. atproto's ``send_post`` takes no ``rkey``, so
the record is built as it builds it and created with ``app.bsky.feed.post.create(..., rkey=)``.

Private messages go through the chat service behind the PDS (the ``atproto-proxy`` header,
atproto's ``with_bsky_chat_proxy``): ``getConvoForMembers`` then ``sendMessage``. Chat
messages take no key of their own; they are reconciled from the conversation's messages.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from core.errors import SourceAuthError, SourceRateLimited, SourceUnavailable
from outbound.base import OutgoingPost, OutgoingReply, SendRejected, SentReceipt
from outbound.senders import TIMEOUT_S, parse_time, same_text

log = logging.getLogger(__name__)

CLOCK_SKEW = timedelta(minutes=2)
POST = "app.bsky.feed.post"
_B32 = "234567abcdefghijklmnopqrstuvwxyz"
# TIDs dated within about a year from 2024-01-01: a valid key that sorts as a plausible time.
_TID_BASE_US = 1_704_067_200_000_000
_TID_SPAN_US = 1 << 45


def record_key(idempotency_key: str) -> str:
    """A TID-shaped record key that is the same for every attempt of one approval.

    A TID is 64 bits, the top one zero, then 53 bits of microseconds and 10 of clock id, in
    13 characters of base32-sortable. Here the bits come from a hash of the key; the date they
    spell is not when the post was made (``createdAt`` in the record is).
    """
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:8], "big")
    micros = _TID_BASE_US + (digest >> 10) % _TID_SPAN_US
    value = (micros << 10) | (digest & 0x3FF)
    out = ""
    for _ in range(13):
        out = _B32[value & 31] + out
        value >>= 5
    return out


def web_url(web: str, handle_or_did: str, uri: str) -> str:
    """The bsky.app link of a post given its ``at://`` URI."""
    return f"{web}/profile/{handle_or_did}/post/{uri.rsplit('/', 1)[-1]}"


class BlueskySender:
    """Replies and chat messages as the brand's Bluesky account.

    ``app_password`` is an app password of the brand's account, created with "allow access to
    your direct messages" for private messages. ``pds_url`` is the account's PDS (or
    ``https://bsky.social``, the entryway); ``web_url`` shapes the links of what was posted.
    """

    platform = "bluesky"

    def __init__(
        self,
        *,
        handle: str,
        app_password: str,
        pds_url: str = "https://bsky.social",
        web_url: str = "https://bsky.app",
        timeout: float = TIMEOUT_S,
    ) -> None:
        from atproto import Client
        from atproto_client.request import Request

        self.client = Client(base_url=pds_url, request=Request(timeout=timeout))
        self.handle = handle.lstrip("@")
        self._password = app_password
        self.web = web_url.rstrip("/")
        self.did: str | None = None
        self._chat: Any = None
        self._login_lock = threading.Lock()

    def send(self, reply: OutgoingReply) -> SentReceipt:
        """Post ``reply`` under the post it answers, or send it as a chat message."""
        self._login()
        if reply.private:
            return self._message(reply)
        from atproto import models

        parent_uri = reply.in_reply_to
        if not parent_uri or not parent_uri.startswith("at://"):
            raise SendRejected(
                f"a Bluesky reply answers an at:// post, not {parent_uri!r}", source="bluesky"
            )
        posts = self._call(self.client.get_posts, [parent_uri]).posts
        if not posts:
            raise SendRejected(
                "the post answered was deleted or is not visible to the brand (not found)",
                source="bluesky",
            )
        parent = models.ComAtprotoRepoStrongRef.Main(uri=posts[0].uri, cid=posts[0].cid)
        thread = getattr(posts[0].record, "reply", None)
        root = thread.root if thread is not None else parent
        record = models.AppBskyFeedPost.Record(
            created_at=self.client.get_current_time_iso(),
            text=reply.text,
            reply=models.AppBskyFeedPost.ReplyRef(root=root, parent=parent),
        )
        return self._create(record, record_key(reply.idempotency_key))

    def post(self, post: OutgoingPost) -> SentReceipt:
        """Post a record of the brand's own (no reply reference) under the approval's key."""
        self._login()
        from atproto import models

        record = models.AppBskyFeedPost.Record(
            created_at=self.client.get_current_time_iso(), text=post.text
        )
        return self._create(record, record_key(post.idempotency_key))

    def find_post(self, post: OutgoingPost, *, since: datetime) -> SentReceipt | None:
        """The post under this approval's record key."""
        self._login()
        return self._record(record_key(post.idempotency_key))

    def _create(self, record: Any, rkey: str) -> SentReceipt:
        """Create ``record`` under ``rkey``; one already there is the post (never a second)."""
        try:
            made = self._call(self.client.app.bsky.feed.post.create, self.did, record, rkey=rkey)
        except SendRejected:
            existing = self._record(rkey)
            if existing is None:
                raise
            log.info("bluesky: post %s was already made as %s", rkey, existing.platform_id)
            return existing
        return SentReceipt(made.uri, web_url(self.web, self.handle, made.uri))

    def find_sent(self, reply: OutgoingReply, *, since: datetime) -> SentReceipt | None:
        """The post under this approval's record key, or the chat message with its text."""
        self._login()
        if not reply.private:
            return self._record(record_key(reply.idempotency_key))
        if not reply.recipient_id:
            return None
        chat = self._chat_client()
        convo = self._call(
            chat.chat.bsky.convo.get_convo_for_members, params={"members": [reply.recipient_id]}
        ).convo
        page = self._call(
            chat.chat.bsky.convo.get_messages, params={"convo_id": convo.id, "limit": 100}
        )
        earliest = since - CLOCK_SKEW
        for message in page.messages:
            sender = getattr(message, "sender", None)
            at = parse_time(getattr(message, "sent_at", None))
            if (
                sender is not None
                and sender.did == self.did
                and (at is None or at >= earliest)
                and same_text(reply.text, getattr(message, "text", "") or "")
            ):
                return SentReceipt(message.id, f"{self.web}/messages/{convo.id}")
        return None

    def _message(self, reply: OutgoingReply) -> SentReceipt:
        if not reply.recipient_id:
            raise SendRejected("a private message needs the author's DID", source="bluesky")
        chat = self._chat_client()
        convo = self._call(
            chat.chat.bsky.convo.get_convo_for_members, params={"members": [reply.recipient_id]}
        ).convo
        sent = self._call(
            chat.chat.bsky.convo.send_message,
            data={"convo_id": convo.id, "message": {"text": reply.text}},
        )
        return SentReceipt(sent.id, f"{self.web}/messages/{convo.id}")

    def _record(self, rkey: str) -> SentReceipt | None:
        """The brand's post under ``rkey``, or None when there is none."""
        try:
            found = self._call(self.client.app.bsky.feed.post.get, self.did, rkey)
        except SendRejected:  # RecordNotFound comes back as a 400
            return None
        return SentReceipt(found.uri, web_url(self.web, self.handle, found.uri))

    def _chat_client(self) -> Any:
        if self._chat is None:
            self._chat = self.client.with_bsky_chat_proxy()
        return self._chat

    def _login(self) -> None:
        with self._login_lock:
            if self.did is None:
                profile = self._call(self.client.login, self.handle, self._password)
                self.did = profile.did if profile is not None else None
                if self.did is None:
                    raise SourceUnavailable("bluesky: no profile after login", source="bluesky")

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            translated = translate_error(exc)
            if translated is exc:
                raise
            raise translated from exc


def translate_error(exc: Exception) -> Exception:
    """atproto's exceptions as the product's: transient, credentials, or final."""
    from atproto_client import exceptions as ae

    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", 0) or 0
    if isinstance(exc, ae.RateLimitExceededError):
        return SourceRateLimited("bluesky: rate limited", source="bluesky", reset_at=exc.reset_at)
    if isinstance(exc, ae.NetworkError) or (isinstance(exc, ae.RequestErrorBase) and status >= 500):
        return SourceUnavailable(f"bluesky: {_words(exc)}", source="bluesky")
    if isinstance(exc, ae.UnauthorizedError):
        return SourceAuthError(f"bluesky: credentials refused ({_words(exc)})", source="bluesky")
    if isinstance(exc, ae.RequestErrorBase):
        return SendRejected(_words(exc), source="bluesky")
    return exc


def _words(exc: Exception) -> str:
    """The service's own message (``XrpcError.message``, else its error name)."""
    content = getattr(getattr(exc, "response", None), "content", None)
    message = getattr(content, "message", None)
    error = getattr(content, "error", None)
    if message or error:
        return str(message or error)
    return str(exc) or type(exc).__name__
