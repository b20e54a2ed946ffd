"""X (tweepy 4.17, API v2): the filtered stream, with recent search as backfill and fallback.

Stream rules are built from the brand's keywords and X accounts and synced under one tag
(missing ones added, stale ones deleted; other tags are left alone). A stream cannot
resume, so each (re)connection first runs recent search with ``since_id`` = the cursor;
the time the stream was down is recorded as a gap and marked backfilled once that search
went through. When the user's plan has no stream access (HTTP 403) the source switches to
polling recent search for good. Compliance delete events purge the stored text.

Recent search reaches back 7 days: a ``since_id`` older than that is refused (HTTP 400), so
the search starts at the window's edge instead and the range it cannot reach is recorded
as a gap. A tweet without ``created_at`` is dated by its id (a snowflake); one without
``author_id`` is stored with no author, never under a shared placeholder.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from core.clock import SYSTEM_CLOCK, Clock
from core.config import ACCOUNT_ID_PREFIX
from core.errors import SourceAuthError, SourceError, SourceRateLimited, SourceUnavailable
from core.records import AuthorRecord, MentionRecord, no_author
from listener.base import Fetched, deletion_notice
from listener.push import PushStream
from store.gaps import GapLog

log = logging.getLogger(__name__)

RULE_TAG = "critic2fan"
MAX_RULE_CHARS = 512
TWEET_FIELDS = ["created_at", "lang", "conversation_id", "in_reply_to_user_id", "referenced_tweets"]
USER_FIELDS = ["username", "name", "public_metrics", "created_at"]
EXPANSIONS = ["author_id"]
#: How far back recent search reaches.
SEARCH_WINDOW = timedelta(days=7)
#: A fallback search starts this far inside the window, so clocks a little apart still agree.
WINDOW_MARGIN = timedelta(minutes=5)
#: Snowflake ids count milliseconds from this moment (2010-11-04T01:42:54.657Z).
SNOWFLAKE_EPOCH_MS = 1288834974657
#: Seconds a REST call may take before it counts as failed (tweepy sets no timeout).
TIMEOUT_S = 30.0


def snowflake_time(tweet_id: str | int) -> datetime:
    """When the tweet with this id was posted (its id's timestamp, millisecond precision)."""
    ms = (int(tweet_id) >> 22) + SNOWFLAKE_EPOCH_MS
    return datetime.fromtimestamp(ms / 1000, UTC)


def snowflake_at(moment: datetime) -> str:
    """The smallest id X could give a tweet posted at ``moment`` (a ``since_id`` for a time)."""
    ms = int(moment.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS
    return str(max(ms, 0) << 22)


def refuses_since_id(exc: Exception) -> bool:
    """True when X refused the request for its ``since_id`` (older than the search window).

    X answers 400 with an error naming the parameter: ``{"parameters": {"since_id": [...]},
    "message": "Invalid 'since_id':'…'. 'since_id' must be a tweet id created after …"}``.
    """
    import tweepy

    if not isinstance(exc, tweepy.BadRequest):
        return False
    for error in exc.api_errors:
        if isinstance(error, dict) and "since_id" in (error.get("parameters") or {}):
            return True
    return any("since_id" in str(m) for m in exc.api_messages)


def build_rules(keywords: Iterable[str], accounts: Iterable[str]) -> list[str]:
    """Rule values (each ≤ 512 chars) that match any keyword, @handle, or the brand's posts.

    ``accounts`` are the brand's X accounts (``brand.accounts.x``): a username gives ``@name``
    and ``from:name``; an ``id:`` entry gives ``from:`` with the user id (X accepts either).
    """
    terms: list[str] = []
    for k in keywords:
        k = k.strip()
        if not k:
            continue
        terms.append(f'"{k}"' if " " in k else k)
    for account in accounts:
        account = account.strip().lstrip("@")
        if account.lower().startswith(ACCOUNT_ID_PREFIX):
            user_id = account[len(ACCOUNT_ID_PREFIX) :]
            terms += [f"from:{user_id}"] if user_id else []
        elif account:
            terms += [f"@{account}", f"from:{account}"]
    rules, current = [], ""
    for term in dict.fromkeys(terms):
        candidate = f"{current} OR {term}" if current else term
        if len(f"({candidate}) -is:retweet") > MAX_RULE_CHARS and current:
            rules.append(f"({current}) -is:retweet")
            candidate = term
        current = candidate
    if current:
        rules.append(f"({current}) -is:retweet")
    return rules


def sync_rules(stream: Any, wanted: list[str]) -> tuple[int, int]:
    """Make the stream's ``critic2fan`` rules equal ``wanted``; return (added, deleted)."""
    import tweepy

    existing = stream.get_rules().data or []
    ours = {r.value: r.id for r in existing if r.tag == RULE_TAG}
    stale = [rid for value, rid in ours.items() if value not in wanted]
    missing = [v for v in wanted if v not in ours]
    if stale:
        stream.delete_rules(stale)
    if missing:
        stream.add_rules([tweepy.StreamRule(v, tag=RULE_TAG) for v in missing])
    return len(missing), len(stale)


def normalize_tweet(
    tweet: dict[str, Any], users: dict[str, dict[str, Any]], *, clock: Clock = SYSTEM_CLOCK
) -> MentionRecord:
    """One v2 tweet (plus expanded users) as a mention.

    An undated tweet is dated by its id; one without ``author_id`` has no author (it is
    scored but opens no case) and a link that needs no handle.
    """
    tweet_id = str(tweet["id"])
    author_id = str(tweet.get("author_id") or "")
    user = users.get(author_id, {}) if author_id else {}
    username = user.get("username")
    if author_id:
        metrics = user.get("public_metrics") or {}
        author = AuthorRecord(
            platform="x",
            platform_id=author_id,
            handle=username or author_id,
            display_name=user.get("name"),
            followers=metrics.get("followers_count"),
            following=metrics.get("following_count"),
            account_created=_dt(user.get("created_at")),
        )
    else:
        author = no_author("x")
    url = (
        f"https://x.com/{username}/status/{tweet_id}"
        if username
        else f"https://x.com/i/web/status/{tweet_id}"
    )
    replied = [
        r["id"] for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"
    ]
    return MentionRecord(
        source="x",
        external_id=tweet_id,
        author=author,
        text=str(tweet.get("text") or ""),
        created_at=_dt(tweet.get("created_at")) or _id_time(tweet_id) or clock.now(),
        lang=None if tweet.get("lang") in (None, "und", "zxx", "qme") else tweet["lang"],
        url=url,
        in_reply_to=replied[0] if replied else None,
        thread_id=tweet.get("conversation_id"),
    )


def _id_time(tweet_id: str) -> datetime | None:
    try:
        return snowflake_time(tweet_id)
    except (ValueError, OverflowError, OSError):
        return None


def _dt(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def later(a: str | None, b: str | None) -> str | None:
    """The later of two snowflake ids."""
    if a is None or b is None:
        return a or b
    return a if int(a) >= int(b) else b


def translate_error(exc: Exception) -> SourceError:
    """tweepy's exceptions as the product's error tree (429 keeps the reset time)."""
    import tweepy

    if isinstance(exc, tweepy.TooManyRequests):
        reset = exc.response.headers.get("x-rate-limit-reset") if exc.response is not None else None
        reset_at = datetime.fromtimestamp(int(reset), UTC) if reset and reset.isdigit() else None
        return SourceRateLimited("x: rate limited", source="x", reset_at=reset_at)
    if isinstance(exc, tweepy.Unauthorized | tweepy.Forbidden):
        return SourceAuthError(f"x: credentials refused ({exc})", source="x")
    return SourceUnavailable(f"x: {type(exc).__name__}: {exc}", source="x")


class XSource:
    """The filtered stream (or recent-search polling) for the brand's rules.

    ``gaps`` records what could not be read (the runner hands every source one); without it
    a gap is only logged.
    """

    name = "x:mentions"
    platform = "x"
    prefiltered = True

    def __init__(
        self,
        client: Any,
        stream: Any | None,
        rules: list[str],
        *,
        poll_seconds: float = 60.0,
        gaps: GapLog | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.client, self.stream, self.rules = client, stream, rules
        self.poll_seconds = poll_seconds
        self.poll_interval: float | None = None if stream is not None else poll_seconds
        self.gaps, self.clock = gaps, clock
        self._rules_synced = False
        self._closed = threading.Event()
        self._push: PushStream[tuple[str, Any]] | None = None
        #: When the stream went down (None while it is up or never ran), and that gap's id.
        self._down_since: datetime | None = None
        self._down_gap: int | None = None

    def fetch(self, cursor: str | None) -> Iterator[Fetched]:
        """Search since ``cursor`` (or since the stream went down); then follow the stream."""
        import tweepy

        position = cursor
        down = self._down_since
        if cursor is not None or self.poll_interval is not None or down is not None:
            if down is not None:
                self._note_down(down)
            for item in self._search(cursor, start=down if cursor is None else None):
                position = item.position or position
                yield item
            if down is not None:
                self._backfilled()
        if self.poll_interval is not None or self._closed.is_set():
            return
        try:
            if not self._rules_synced:
                added, deleted = sync_rules(self.stream, self.rules)
                log.info("x: stream rules synced (%d added, %d deleted)", added, deleted)
                self._rules_synced = True
        except tweepy.Forbidden:
            self._fall_back()
            return
        except tweepy.TweepyException as exc:
            raise translate_error(exc) from None
        yield from self._follow(position)

    def _fall_back(self) -> None:
        log.warning("x: the filtered stream is not in this plan; polling recent search instead")
        self.poll_interval = self.poll_seconds

    def _note_down(self, since: datetime) -> None:
        """Record (or lengthen) the gap the stream left while it was down."""
        now = self.clock.now()
        if self.gaps is None or now <= since:
            return
        if self._down_gap is None:
            reason = "the filtered stream was down; backfilling with recent search"
            self._down_gap = self.gaps.record(self.name, since, now, reason)
        else:
            self.gaps.extend(self._down_gap, now)

    def _backfilled(self) -> None:
        if self.gaps is not None and self._down_gap is not None:
            self.gaps.backfilled(self._down_gap)
        self._down_since, self._down_gap = None, None

    def _window_edge(self) -> datetime:
        """The earliest time recent search is sure to accept now."""
        return self.clock.now() - SEARCH_WINDOW + WINDOW_MARGIN

    def _search(self, since_id: str | None, *, start: datetime | None = None) -> Iterator[Fetched]:
        """Every rule's results since ``since_id`` (or ``start``), oldest first.

        A ``since_id`` X refuses as too old is replaced by the window's edge, the range in
        between recorded as a gap, and the position moves to the edge so it is not asked again.
        """
        edge = self._window_edge()
        if start is not None and start < edge:
            self._record(start, edge, "recent search reaches back 7 days; the rest is lost")
            start = edge
        position = since_id
        try:
            items = self._pages(since_id, start)
        except Exception as exc:
            if since_id is None or not refuses_since_id(exc):
                raise
            since_time = snowflake_time(since_id)
            start = max(edge, since_time + timedelta(seconds=1))
            log.warning("x: since_id %s (%s) is past the search window", since_id, since_time)
            self._record(
                since_time, start, "the saved position is older than recent search's 7 days"
            )
            position = snowflake_at(start)
            items = self._pages(None, start)
            if not items:
                yield Fetched(None, position)
        for item in items:
            if item.record is not None:
                position = later(position, item.record.external_id)
            yield Fetched(item.record, position, problem=item.problem)

    def _record(self, start: datetime, end: datetime, reason: str) -> None:
        if self.gaps is not None and end > start:
            self.gaps.record(self.name, start, end, reason)
        else:
            log.warning("x: gap %s..%s: %s", start, end, reason)

    def _pages(self, since_id: str | None, start: datetime | None) -> list[Fetched]:
        """Up to 10 pages per rule, oldest first; tweepy's errors raised as they are."""
        import tweepy

        items: list[Fetched] = []
        for query in self.rules:
            token = None
            for _ in range(10):  # pages
                try:
                    page = self.client.search_recent_tweets(
                        query,
                        since_id=since_id,
                        start_time=start if since_id is None else None,
                        max_results=100,
                        next_token=token,
                        expansions=EXPANSIONS,
                        tweet_fields=TWEET_FIELDS,
                        user_fields=USER_FIELDS,
                    )
                except tweepy.BadRequest as exc:
                    if since_id is not None and refuses_since_id(exc):
                        raise
                    raise translate_error(exc) from None
                except tweepy.TweepyException as exc:
                    raise translate_error(exc) from None
                body = page if isinstance(page, dict) else {}
                users = {str(u["id"]): u for u in (body.get("includes") or {}).get("users", [])}
                for tweet in body.get("data") or []:
                    items.append(_fetched(tweet, users))
                token = (body.get("meta") or {}).get("next_token")
                if not token:
                    break
        items.sort(key=lambda f: int(f.record.external_id) if f.record else 0)
        return items

    def _follow(self, position: str | None) -> Iterator[Fetched]:
        stream: Any = self.stream
        push: PushStream[tuple[str, Any]] = PushStream(name="x-stream")
        self._push = push

        def on_request_error(status: int) -> None:
            push.put(("status", status))
            stream.disconnect()

        def on_connection_error() -> None:
            push.put(("dropped", None))
            stream.disconnect()

        stream.on_data = lambda raw: push.put(("line", raw))
        stream.on_request_error, stream.on_connection_error = on_request_error, on_connection_error
        push.start(
            lambda: stream.filter(
                expansions=EXPANSIONS, tweet_fields=TWEET_FIELDS, user_fields=USER_FIELDS
            )
        )
        if self._closed.is_set():  # closed while connecting: close() saw no stream to end
            push.close()
        try:
            for kind, value in _events(push):
                if kind == "line":
                    item = self._read_line(value, position)
                    if item.record is not None and not item.record.deleted:
                        position = later(position, item.record.external_id)
                        item = Fetched(item.record, position)
                    yield item
                elif kind == "status":
                    if value == 403:
                        self._fall_back()
                        return
                    if value in (401,):
                        raise SourceAuthError("x: the bearer token was refused", source="x")
                    if value == 429:
                        raise SourceRateLimited("x: too many stream connections", source="x")
                    raise SourceUnavailable(f"x: stream HTTP {value}", source="x")
                elif kind == "dropped":
                    raise SourceUnavailable("x: the stream connection dropped", source="x")
        finally:
            push.close()
            stream.disconnect()
            if not self._closed.is_set() and self._down_since is None:
                self._down_since = self.clock.now()

    def _read_line(self, raw: bytes, position: str | None) -> Fetched:
        try:
            payload = json.loads(raw)
        except ValueError:
            return Fetched(None, problem="x: a stream line was not valid JSON")
        if not isinstance(payload, dict):
            return Fetched(None, problem="x: a stream line was not an object")
        data = payload.get("data")
        if data is None and _disconnected(payload):
            raise SourceUnavailable(
                "x: the stream was disconnected upstream (operational-disconnect)", source="x"
            )
        deleted = (data or {}).get("delete", {}).get("tweet") if isinstance(data, dict) else None
        if isinstance(deleted, dict) and deleted.get("id"):
            return Fetched(deletion_notice("x", str(deleted["id"])))
        if not isinstance(data, dict) or "id" not in data:
            return Fetched(None, problem=f"x: stream message without a tweet: {str(payload)[:120]}")
        users = {str(u["id"]): u for u in (payload.get("includes") or {}).get("users", [])}
        return _fetched(data, users)

    def close(self) -> None:
        """Stop streaming (from another thread)."""
        self._closed.set()
        if self._push is not None:
            self._push.close()
        if self.stream is not None:
            self.stream.disconnect()


def _events(push: PushStream[tuple[str, Any]]) -> Iterator[tuple[str, Any]]:
    """The stream's events; the streaming thread's own failure as ``SourceUnavailable``."""
    try:
        for event in push:
            if event is not None:
                yield event
    except SourceError:
        raise
    except Exception as exc:
        raise SourceUnavailable(f"x: {exc}", source="x") from None


def _disconnected(payload: dict[str, Any]) -> bool:
    """True for X's notice that it is closing the stream (``operational-disconnect``)."""
    errors = payload.get("errors")
    return isinstance(errors, list) and any(
        isinstance(e, dict) and e.get("title") == "operational-disconnect" for e in errors
    )


def _fetched(tweet: dict[str, Any], users: dict[str, dict[str, Any]]) -> Fetched:
    try:
        return Fetched(normalize_tweet(tweet, users))
    except (KeyError, TypeError, ValueError) as exc:
        return Fetched(None, problem=f"x: unreadable tweet: {exc}")


class _Adapter(HTTPAdapter):
    """Sends every request to ``base`` (when given) with a timeout; proxies follow the
    environment (``HTTPS_PROXY``, ``NO_PROXY``) for the host actually reached."""

    def __init__(self, base: str | None, timeout: float) -> None:
        super().__init__()
        self.base = urlsplit(base.rstrip("/")) if base else None
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kw: Any) -> requests.Response:  # type: ignore[override]
        if self.base is not None:
            parts = urlsplit(request.url or "")
            path = self.base.path + parts.path
            request.url = urlunsplit((self.base.scheme, self.base.netloc, path, parts.query, ""))
            if kw.get("proxies"):  # chosen for api.twitter.com: choose again for the base
                kw["proxies"] = requests.utils.get_environ_proxies(request.url)
        if kw.get("timeout") is None:
            kw["timeout"] = self.timeout
        return super().send(request, **kw)


def make_clients(
    bearer_token: str, *, use_stream: bool, api_base: str | None = None
) -> tuple[Any, Any | None]:
    """A REST client returning raw JSON, and the streaming client (or None).

    ``api_base`` replaces ``https://api.twitter.com`` (tweepy's fixed host) for both: a
    gateway, a recorded replay. Proxies from the environment are honoured either way.
    """
    import tweepy

    client = tweepy.Client(bearer_token=bearer_token, return_type=dict, wait_on_rate_limit=False)
    stream = tweepy.StreamingClient(bearer_token, max_retries=0) if use_stream else None
    sessions = [client.session] + ([stream.session] if stream is not None else [])
    for session in sessions:
        adapter = _Adapter(api_base, TIMEOUT_S)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
    return client, stream
