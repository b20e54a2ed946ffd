"""Mastodon (Mastodon.py 2.3): hashtag streams with REST backfill, and search polling.

The streaming API cannot resume, so every (re)connection first backfills the hashtag
timeline from the saved cursor (``min_id``), then follows the SSE stream; a dropped or
malformed stream is therefore repaired by the next backfill. Ids arrive as int or str:
they are normalized to str, and compared as numbers for the cursor.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from core.clock import SYSTEM_CLOCK, Clock
from core.errors import (
    SourceAuthError,
    SourceError,
    SourceRateLimited,
    SourceUnavailable,
)
from core.records import AuthorRecord, MentionRecord
from listener.base import Fetched, deletion_notice
from listener.push import PushStream
from listener.text import html_to_text

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 15.0
PAGE_LIMIT = 40
MAX_BACKFILL_PAGES = 25


def make_client(api_base_url: str, access_token: str | None) -> Any:
    """A Mastodon.py client that raises on rate limits instead of sleeping inside."""
    from mastodon import Mastodon

    return Mastodon(
        api_base_url=api_base_url,
        access_token=access_token,
        ratelimit_method="throw",
        request_timeout=30,
        version_check_mode="none",
    )


def later(a: str | None, b: str | None) -> str | None:
    """The later of two Mastodon ids (numeric strings compare as numbers)."""
    if a is None or b is None:
        return a or b
    if a.isdigit() and b.isdigit():
        return a if int(a) >= int(b) else b
    return max(a, b)


def normalize_status(status: Any, *, clock: Clock = SYSTEM_CLOCK) -> MentionRecord:
    """One Mastodon status (dict-like) as a mention; an undated one gets ``clock.now()``."""
    account = status["account"]
    text = html_to_text(status.get("content") or "")
    if status.get("spoiler_text"):
        text = f"{status['spoiler_text']}\n\n{text}"
    return MentionRecord(
        source="mastodon",
        external_id=str(status["id"]),
        author=AuthorRecord(
            platform="mastodon",
            platform_id=str(account["id"]),
            handle=str(account.get("acct") or account.get("username")),
            display_name=account.get("display_name") or None,
            followers=account.get("followers_count"),
            following=account.get("following_count"),
            account_created=_time(account.get("created_at")),
        ),
        text=text,
        created_at=_time(status.get("created_at")) or clock.now(),
        lang=status.get("language") or None,
        url=status.get("url") or status.get("uri"),
        in_reply_to=status.get("in_reply_to_id"),
        raw={"uri": status.get("uri"), "visibility": status.get("visibility")},
    )


def _time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


def translate_error(api: Any, exc: Exception) -> SourceError:
    """Mastodon.py's exceptions as the product's error tree."""
    from mastodon import errors as m

    if isinstance(exc, m.MastodonRatelimitError):
        reset = getattr(api, "ratelimit_reset", None)
        reset_at = datetime.fromtimestamp(reset, UTC) if reset else None
        return SourceRateLimited(f"rate limited: {exc}", source="mastodon", reset_at=reset_at)
    if isinstance(exc, m.MastodonUnauthorizedError):
        return SourceAuthError("the access token was refused", source="mastodon")
    if isinstance(exc, m.MastodonAPIError) and "403" in str(exc):
        return SourceAuthError(f"forbidden: {exc}", source="mastodon")
    return SourceUnavailable(f"{type(exc).__name__}: {exc}", source="mastodon")


def shutdown_response(response: Any) -> None:
    """Close a streaming ``requests`` response so a read blocked in another thread returns."""
    import socket

    try:
        sock = response.raw._fp.fp.raw._sock
        sock.shutdown(socket.SHUT_RDWR)
    except (AttributeError, OSError):
        pass
    try:
        response.close()
    except Exception:  # already closed or half torn down
        log.debug("closing the stream failed", exc_info=True)


class _Listener:
    """Turns Mastodon.py's stream callbacks into items of a :class:`~listener.push.PushStream`."""

    def __init__(self, out: PushStream[tuple[str, Any]]) -> None:
        from mastodon import StreamListener

        self.connected = connected = threading.Event()

        class L(StreamListener):
            response: Any = None

            def handle_stream(self, response: Any) -> Any:
                L.response = response
                connected.set()
                return super().handle_stream(response)

            def on_update(self, status: Any) -> None:
                out.put(("update", status))

            def on_status_update(self, status: Any) -> None:
                out.put(("edit", status))

            def on_delete(self, status_id: Any) -> None:
                out.put(("delete", status_id))

            def on_unknown_event(self, name: str, unknown_event: Any = None) -> None:
                return

        self.listener = L()
        self.out = out

    def close(self) -> None:
        self.out.close()
        response = type(self.listener).response
        if response is not None:
            shutdown_response(response)


class MastodonHashtagSource:
    """A hashtag's statuses: backfill from the cursor, then the live stream."""

    platform = "mastodon"
    poll_interval: float | None = None
    prefiltered = False

    def __init__(self, api: Any, tag: str) -> None:
        self.api, self.tag = api, tag.lstrip("#")
        self.name = f"mastodon:tag:{self.tag.lower()}"
        self._listener: _Listener | None = None
        self._closed = threading.Event()

    def fetch(self, cursor: str | None) -> Iterator[Fetched]:
        """Subscribe to the stream, backfill since ``cursor``, then follow the stream.

        The stream is connected *before* the backfill, and its events wait in a queue
        meanwhile: a post published between the last backfill page and the subscription
        would otherwise be missed. Posts seen by both are dropped as duplicates downstream.
        """
        from mastodon.errors import MastodonError

        listener = self._subscribe()
        position = cursor
        try:
            for status in self._backfill(cursor):
                position = later(position, str(status["id"]))
                yield _fetched(status, position)
        except MastodonError as exc:
            listener.close()
            raise translate_error(self.api, exc) from None
        yield from self._follow(listener, position)

    def _subscribe(self) -> _Listener:
        """Start the stream in a thread and wait until it is connected (or has failed)."""
        events: PushStream[tuple[str, Any]] = PushStream(name=f"sse-{self.name}")
        self._listener = listener = _Listener(events)

        def run() -> None:
            try:
                self.api.stream_hashtag(self.tag, listener.listener)
            finally:
                listener.connected.set()  # never leave the subscriber waiting

        events.start(run)
        if self._closed.is_set():  # closed while subscribing: close() saw no listener
            listener.close()
        listener.connected.wait(CONNECT_TIMEOUT_S)
        return listener

    def _backfill(self, cursor: str | None) -> Iterator[Any]:
        if cursor is None:  # first run: the newest page, oldest first
            yield from reversed(self.api.timeline_hashtag(self.tag, limit=PAGE_LIMIT) or [])
            return
        since = cursor
        for _ in range(MAX_BACKFILL_PAGES):
            page = self.api.timeline_hashtag(self.tag, min_id=since, limit=PAGE_LIMIT) or []
            if not page:
                return
            ordered = sorted(page, key=lambda s: int(str(s["id"])) if str(s["id"]).isdigit() else 0)
            yield from ordered
            since = str(ordered[-1]["id"])
            if len(page) < PAGE_LIMIT:
                return

    def _follow(self, listener: _Listener, position: str | None) -> Iterator[Fetched]:
        try:
            for kind, payload in _events(listener.out, self.api):
                if kind == "delete":
                    yield Fetched(deletion_notice("mastodon", str(payload)))
                    continue
                try:
                    position = later(position, str(payload["id"]))
                    yield _fetched(payload, position, edit=kind == "edit")
                except (KeyError, TypeError, ValueError) as exc:
                    yield Fetched(None, problem=f"unreadable status: {exc}")
        finally:
            listener.close()

    def close(self) -> None:
        """Stop the stream (from another thread)."""
        self._closed.set()
        if self._listener is not None:
            self._listener.close()


class MastodonSearchSource:
    """Polls full-text status search for a keyword (instances that allow it)."""

    platform = "mastodon"
    prefiltered = False

    def __init__(self, api: Any, query: str, *, poll_interval: float = 60.0) -> None:
        self.api, self.query = api, query
        self.poll_interval: float | None = poll_interval
        self.name = f"mastodon:search:{query.lower()}"

    def fetch(self, cursor: str | None) -> Iterator[Fetched]:
        """One search call for statuses newer than ``cursor``."""
        from mastodon.errors import MastodonError

        try:
            found = self.api.search_v2(
                self.query, result_type="statuses", min_id=cursor, resolve=False
            )
        except MastodonError as exc:
            raise translate_error(self.api, exc) from None
        statuses = list(found.get("statuses") or [])
        statuses.sort(key=lambda s: int(str(s["id"])) if str(s["id"]).isdigit() else 0)
        position = cursor
        for status in statuses:
            position = later(position, str(status["id"]))
            yield replace(_fetched(status, position), matched_by_platform=True)

    def close(self) -> None:
        """Nothing to unblock: each poll is one short request."""


def _events(events: PushStream[tuple[str, Any]], api: Any) -> Iterator[tuple[str, Any]]:
    """The stream's events; its thread's failure in the product's terms (none once closed)."""
    try:
        for event in events:
            if event is not None:
                yield event
    except Exception as exc:
        if events.closed:
            return  # our own shutdown broke the connection
        raise translate_error(api, exc) from None


def _fetched(status: Any, position: str | None, *, edit: bool = False) -> Fetched:
    try:
        return Fetched(normalize_status(status), position, edit=edit)
    except (KeyError, TypeError, ValueError) as exc:
        return Fetched(None, position, problem=f"unreadable status: {exc}")
