"""Mastodon (Mastodon.py 2.3): replies and the brand's own posts with ``status_post``, private
replies as direct mentions.

Every post carries the outbox row's idempotency key in Mastodon's ``Idempotency-Key`` header:
the instance answers a repeated key with the status it already made (Mastodon keeps keys for
an hour), so a retry after a lost answer never posts twice. Rate limits are thrown, never
slept on inside the library, so the worker's backoff decides.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from core.errors import SourceAuthError, SourceRateLimited, SourceUnavailable
from outbound.base import OutgoingPost, OutgoingReply, SendRejected, SentReceipt
from outbound.senders import TIMEOUT_S, epoch_to_utc, html_text, parse_time, same_text

log = logging.getLogger(__name__)

CLOCK_SKEW = timedelta(minutes=2)
_PAGE = 40


class MastodonSender:
    """Replies as the brand's account on one instance.

    ``access_token`` needs the ``write:statuses`` and ``read:accounts``/``read:statuses``
    scopes. ``account_id`` is the brand's account id on that instance (looked up once with
    ``verify_credentials`` when absent).
    """

    platform = "mastodon"

    def __init__(
        self,
        *,
        api_base_url: str,
        access_token: str,
        account_id: str | None = None,
        timeout: float = TIMEOUT_S,
    ) -> None:
        from mastodon import Mastodon

        self.api = Mastodon(
            api_base_url=api_base_url,
            access_token=access_token,
            ratelimit_method="throw",
            request_timeout=timeout,
            version_check_mode="none",
        )
        self.account_id = account_id

    def send(self, reply: OutgoingReply) -> SentReceipt:
        """Post ``reply`` in the thread; private is ``visibility="direct"`` (a private mention)."""
        status = self._call(
            self.api.status_post,
            reply.text,
            in_reply_to_id=reply.in_reply_to,
            visibility="direct" if reply.private else "public",
            idempotency_key=reply.idempotency_key,
        )
        return _receipt(status)

    def post(self, post: OutgoingPost) -> SentReceipt:
        """Post a public status of the brand's own, under the approval's idempotency key."""
        status = self._call(
            self.api.status_post,
            post.text,
            visibility="public",
            idempotency_key=post.idempotency_key,
        )
        return _receipt(status)

    def find_post(self, post: OutgoingPost, *, since: datetime) -> SentReceipt | None:
        """The brand's public status with this text answering nothing, made since ``since``."""
        return self.find_sent(post.as_reply(), since=since)

    def find_sent(self, reply: OutgoingReply, *, since: datetime) -> SentReceipt | None:
        """The brand's status with this text answering the same post, made since ``since``."""
        earliest = since - CLOCK_SKEW
        statuses = self._call(
            self.api.account_statuses,
            self._me(),
            exclude_reblogs=True,
            since_id=earliest,
            limit=_PAGE,
        )
        for status in statuses or []:
            at = parse_time(status.get("created_at"))
            parent = status.get("in_reply_to_id")
            if (
                (at is None or at >= earliest)
                and (str(parent) if parent is not None else None) == reply.in_reply_to
                and (status.get("visibility") == "direct") == reply.private
                and same_text(reply.text, html_text(status.get("content") or ""))
            ):
                return _receipt(status)
        return None

    def _me(self) -> str:
        if self.account_id is None:
            self.account_id = str(self._call(self.api.account_verify_credentials)["id"])
        return self.account_id

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            translated = translate_error(self.api, exc)
            if translated is exc:
                raise
            raise translated from exc


def _receipt(status: Any) -> SentReceipt:
    return SentReceipt(str(status["id"]), status.get("url") or status.get("uri"))


def translate_error(api: Any, exc: Exception) -> Exception:
    """Mastodon.py's exceptions as the product's: transient, credentials, or final."""
    from mastodon import errors as m

    if isinstance(exc, m.MastodonRatelimitError):
        reset_at = epoch_to_utc(getattr(api, "ratelimit_reset", None))
        return SourceRateLimited("mastodon: rate limited", source="mastodon", reset_at=reset_at)
    if isinstance(exc, m.MastodonServerError | m.MastodonNetworkError):
        return SourceUnavailable(f"mastodon: {_words(exc)}", source="mastodon")
    if isinstance(exc, m.MastodonUnauthorizedError):
        return SourceAuthError(f"mastodon: credentials refused ({_words(exc)})", source="mastodon")
    if isinstance(exc, m.MastodonNotFoundError):
        reason = f"{_words(exc)}: the post answered was deleted or is not visible to the brand"
        return SendRejected(reason, source="mastodon")
    if isinstance(exc, m.MastodonAPIError):
        return SendRejected(_words(exc), source="mastodon")
    return exc


def _words(exc: Exception) -> str:
    """The instance's ``error`` text (Mastodon.py's fourth argument), else the status line."""
    args = exc.args
    if len(args) >= 4 and args[3]:
        return str(args[3])
    if len(args) >= 3:
        return f"{args[1]} {args[2]}"
    return str(exc)
