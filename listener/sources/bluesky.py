"""Bluesky via Jetstream (atproto 0.0.73, v2 wire): posts, local matching, resumable.

Jetstream has no keyword filter, so every ``app.bsky.feed.post`` commit is matched here
and only matching posts cost a profile lookup; profiles (handle, followers) are fetched in
batches of up to 25 from the public AppView and cached. A matching post waits at most
``profile_wait_s`` (0.2 s) for others to share its lookup; one whose author is cached, with
nothing held before it, goes at once. The position is the event's
``time_us`` (portable across Jetstream instances); a resume rewinds a few seconds and the
seen-id set and the store's unique key absorb the overlap.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from core.clock import SYSTEM_CLOCK, Clock
from core.errors import SourceAuthError, SourceRateLimited, SourceUnavailable
from core.records import AuthorRecord, MentionRecord
from listener.base import Fetched, deletion_notice
from listener.matching import Matcher
from listener.push import PushStream
from store.gaps import GapLog

log = logging.getLogger(__name__)

POST = "app.bsky.feed.post"
#: The #info advisory Jetstream sends when a cursor is older than what it keeps.
OUTDATED_CURSOR = "OutdatedCursor"
DEFAULT_JETSTREAM = "wss://jetstream.us-east.bsky.network/xrpc"
PROFILE_BATCH = 25
#: The longest a matching post is held so that its author's lookup can be shared.
PROFILE_WAIT_S = 0.2
#: The longest the stream's silence goes unnoticed (a quiet stream's held posts wait this
#: long past ``profile_wait_s`` at most).
_TICK_S = 0.05
REWIND_US = 5_000_000
_POSITION_EVERY = 200


def time_us(value: Any) -> int | None:
    """Microseconds since the epoch of an ISO time (Jetstream ``time``/``witnessed_at``)."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1_000_000)


class ProfileCache:
    """Author profiles by DID: fetched 25 at a time, the last ``size`` kept."""

    def __init__(self, appview_url: str, *, size: int = 20_000, timeout: float = 10.0) -> None:
        import httpx

        self.url = appview_url.rstrip("/") + "/xrpc/app.bsky.actor.getProfiles"
        self.size = size
        self._http = httpx.Client(timeout=timeout, trust_env=False)
        self._cache: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def get_many(self, dids: list[str]) -> dict[str, dict[str, Any]]:
        """Profiles for ``dids``; an unreachable AppView leaves them out (never raises)."""
        missing = [d for d in dict.fromkeys(dids) if d not in self._cache]
        for start in range(0, len(missing), PROFILE_BATCH):
            chunk = missing[start : start + PROFILE_BATCH]
            try:
                reply = self._http.get(self.url, params=[("actors", d) for d in chunk])
                reply.raise_for_status()
                profiles = reply.json().get("profiles") or []
            except Exception as exc:  # the post matters more than its author's details
                log.warning("bluesky: profile lookup failed: %s", exc)
                continue
            for profile in profiles:
                if isinstance(profile, dict) and profile.get("did"):
                    self._cache[profile["did"]] = profile
                    if len(self._cache) > self.size:
                        self._cache.popitem(last=False)
        return {d: self._cache[d] for d in dids if d in self._cache}

    def __contains__(self, did: object) -> bool:
        return did in self._cache

    def close(self) -> None:
        """Release the HTTP connections."""
        self._http.close()


def normalize_post(
    event: Any, profile: dict[str, Any] | None, *, clock: Clock = SYSTEM_CLOCK
) -> MentionRecord:
    """A Jetstream post commit (plus the author's profile when known) as a mention.

    A post without a readable time is dated ``clock.now()``.
    """
    record = record_dict(event.record)
    did, rkey = str(event.did), str(event.rkey)
    handle = str((profile or {}).get("handle") or did)
    reply = record.get("reply") or {}
    created = record.get("createdAt") or event.time
    return MentionRecord(
        source="bluesky",
        external_id=f"at://{did}/{POST}/{rkey}",
        author=AuthorRecord(
            platform="bluesky",
            platform_id=did,
            handle=handle,
            display_name=(profile or {}).get("displayName") or None,
            followers=(profile or {}).get("followersCount"),
            following=(profile or {}).get("followsCount"),
            account_created=_dt((profile or {}).get("createdAt")),
        ),
        text=str(record.get("text") or ""),
        created_at=_dt(created) or clock.now(),
        lang=(record.get("langs") or [None])[0],
        url=f"https://bsky.app/profile/{handle}/post/{rkey}",
        in_reply_to=(reply.get("parent") or {}).get("uri"),
        thread_id=(reply.get("root") or {}).get("uri"),
        raw={"cid": str(event.cid) if event.cid else None},
    )


def record_dict(record: Any) -> dict[str, Any]:
    """A post record as plain JSON data (atproto hands back models or dicts)."""
    if record is None:
        return {}
    if isinstance(record, dict):
        return record
    from atproto_client.models.utils import get_model_as_dict

    try:
        return dict(get_model_as_dict(record))
    except Exception:  # an unknown record shape: nothing to read
        return {}


def _live(client: Any, *, tick: float = 0.25) -> Iterator[Any]:
    """Events of a running Jetstream client, with ``None`` every ``tick`` s of silence.

    Like atproto's own ``iter_live``, but the pauses let a quiet stream flush its batch.
    """
    stream: PushStream[Any] = PushStream(name="jetstream", maxsize=1024, tick=tick)
    stream.start(lambda: client.start(stream.put))
    try:
        yield from stream
    finally:
        stream.close()
        client.stop()


def _dt(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class BlueskySource:
    """Posts from Jetstream that name the brand."""

    name = "bluesky:jetstream"
    platform = "bluesky"
    poll_interval: float | None = None
    prefiltered = False
    #: Jetstream sends every deletion on the network: keep no tombstones for unknown posts.
    keep_tombstones = False

    def __init__(
        self,
        jetstream_url: str,
        appview_url: str,
        matcher: Matcher,
        *,
        reconnect_delay: Callable[[], float] | None = None,
        recv_timeout: float = 60.0,
        profile_wait_s: float = PROFILE_WAIT_S,
    ) -> None:
        if jetstream_url.rstrip("/").endswith("/subscribe"):  # a v1 address: not spoken here
            log.warning(
                "bluesky: %s is a Jetstream v1 address; using %s", jetstream_url, DEFAULT_JETSTREAM
            )
            jetstream_url = DEFAULT_JETSTREAM
        self.jetstream_url = jetstream_url.rstrip("/")
        self.matcher = matcher
        self.profiles = ProfileCache(appview_url)
        self.reconnect_delay = reconnect_delay
        self.recv_timeout = recv_timeout
        self.profile_wait_s = profile_wait_s
        self._client: Any = None
        self._closed = False
        #: Where a range Jetstream no longer holds is recorded (the runner hands one over).
        self.gaps: GapLog | None = None

    def _make_client(self, cursor: str | None) -> Any:
        from atproto_jetstream import JetstreamClient

        delay = self.reconnect_delay

        class Client(JetstreamClient):
            def _get_reconnection_delay(self) -> float:
                return delay() if delay is not None else float(super()._get_reconnection_delay())

        params: dict[str, Any] = {"collections": [POST]}
        if cursor and cursor.isdigit():
            params["cursor"] = max(int(cursor) - REWIND_US, 0)
        return Client(
            params=params,
            base_uri=self.jetstream_url,
            recv_timeout=self.recv_timeout,
            compress=False,
        )

    def fetch(self, cursor: str | None) -> Iterator[Fetched]:
        """Follow Jetstream from ``cursor`` (a ``time_us``) until the stream ends."""
        from atproto_jetstream.exceptions import JetstreamError

        self._client = client = self._make_client(cursor)
        if self._closed:
            return
        pending: list[tuple[Any, int]] = []
        pending_since = 0.0
        position = int(cursor) if cursor and cursor.isdigit() else 0
        quiet = 0
        #: Set when Jetstream says the cursor is older than it keeps: the range from there to
        #: the first event it replays is lost, and recorded as a gap.
        lost_from: int | None = None
        notice = ""
        try:
            for event in _live(client, tick=min(_TICK_S, self.profile_wait_s)):
                if getattr(event, "name", None) == OUTDATED_CURSOR:
                    if position:
                        lost_from, notice = position, str(getattr(event, "message", ""))
                    continue
                if lost_from is not None and getattr(event, "collection", None):
                    resumed = time_us(getattr(event, "witnessed_at", None) or event.time) or 0
                    self._record_lost(lost_from, resumed, notice)
                    lost_from = None
                if event is None or getattr(event, "collection", None) != POST:
                    if pending and time.monotonic() - pending_since >= self.profile_wait_s:
                        yield from self._flush(pending)
                    continue
                stamp = time_us(getattr(event, "witnessed_at", None) or event.time) or 0
                position = max(position, stamp)
                if event.operation == "delete":
                    yield from self._flush(pending)
                    yield Fetched(
                        deletion_notice("bluesky", f"at://{event.did}/{POST}/{event.rkey}")
                    )
                    continue
                text = record_dict(event.record).get("text")
                if isinstance(text, str) and self.matcher.matches_text(text):
                    if not pending:
                        pending_since = time.monotonic()
                    pending.append((event, position))
                    if len(pending) == 1 and str(event.did) in self.profiles:
                        yield from self._flush(pending)  # nothing to look up: no wait
                        continue
                elif not pending:
                    quiet += 1
                    if quiet >= _POSITION_EVERY:
                        quiet = 0
                        yield Fetched(None, str(position))
                if len(pending) >= PROFILE_BATCH or (
                    pending and time.monotonic() - pending_since >= self.profile_wait_s
                ):
                    yield from self._flush(pending)
            yield from self._flush(pending)
            if position:
                yield Fetched(None, str(position))
        except JetstreamError as exc:
            yield from self._flush(pending)
            text = str(exc)
            if "401" in text or "403" in text or "Auth" in text:
                raise SourceAuthError(f"jetstream refused: {text}", source="bluesky") from None
            if "429" in text or "RateLimit" in text:
                raise SourceRateLimited(f"jetstream: {text}", source="bluesky") from None
            raise SourceUnavailable(f"jetstream: {text}", source="bluesky") from None
        finally:
            self._client = None

    def _record_lost(self, start_us: int, end_us: int, notice: str) -> None:
        if self.gaps is None or end_us <= start_us:
            return
        start = datetime.fromtimestamp(start_us / 1_000_000, UTC)
        end = datetime.fromtimestamp(end_us / 1_000_000, UTC)
        self.gaps.record(self.name, start, end, f"Jetstream no longer held this range ({notice})")

    def _flush(self, pending: list[tuple[Any, int]]) -> Iterator[Fetched]:
        if not pending:
            return
        profiles = self.profiles.get_many([str(e.did) for e, _ in pending])
        for event, position in pending:
            try:
                yield Fetched(normalize_post(event, profiles.get(str(event.did))), str(position))
            except (ValueError, TypeError, KeyError) as exc:
                yield Fetched(None, str(position), problem=f"unreadable post: {exc}")
        pending.clear()

    def close(self) -> None:
        """Stop the stream (from another thread)."""
        self._closed = True
        client = self._client
        if client is not None:
            client.stop()
