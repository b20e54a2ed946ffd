"""X (tweepy 4.17, API v2): the filtered stream, with recent search as backfill and fallback.

Stream rules are built from the brand's keywords and X accounts and synced under one tag
(missing ones added, stale ones deleted; other tags are left alone). A stream cannot
resume, so each (re)connection first runs recent search with ``since_id`` = the cursor.
When the user's plan has no stream access (HTTP 403) the source switches to polling
recent search for good. Compliance delete events purge the stored text.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from core.clock import SYSTEM_CLOCK, Clock
from core.config import ACCOUNT_ID_PREFIX
from core.errors import SourceAuthError, SourceError, SourceRateLimited, SourceUnavailable
from core.records import AuthorRecord, MentionRecord
from listener.base import Fetched, deletion_notice
from listener.push import PushStream

log = logging.getLogger(__name__)

RULE_TAG = "critic2fan"
MAX_RULE_CHARS = 512
TWEET_FIELDS = ["created_at", "lang", "conversation_id", "in_reply_to_user_id", "referenced_tweets"]
USER_FIELDS = ["username", "name", "public_metrics", "created_at"]
EXPANSIONS = ["author_id"]


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
    """One v2 tweet (plus expanded users) as a mention; undated ones get ``clock.now()``."""
    author_id = str(tweet.get("author_id") or "")
    user = users.get(author_id, {})
    metrics = user.get("public_metrics") or {}
    handle = user.get("username") or author_id or "unknown"
    replied = [
        r["id"] for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"
    ]
    return MentionRecord(
        source="x",
        external_id=str(tweet["id"]),
        author=AuthorRecord(
            platform="x",
            platform_id=author_id or handle,
            handle=handle,
            display_name=user.get("name"),
            followers=metrics.get("followers_count"),
            following=metrics.get("following_count"),
            account_created=_dt(user.get("created_at")),
        ),
        text=str(tweet.get("text") or ""),
        created_at=_dt(tweet.get("created_at")) or clock.now(),
        lang=None if tweet.get("lang") in (None, "und", "zxx", "qme") else tweet["lang"],
        url=f"https://x.com/{handle}/status/{tweet['id']}",
        in_reply_to=replied[0] if replied else None,
        thread_id=tweet.get("conversation_id"),
    )


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
    """The filtered stream (or recent-search polling) for the brand's rules."""

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
    ) -> None:
        self.client, self.stream, self.rules = client, stream, rules
        self.poll_seconds = poll_seconds
        self.poll_interval: float | None = None if stream is not None else poll_seconds
        self._rules_synced = False
        self._closed = threading.Event()
        self._push: PushStream[tuple[str, Any]] | None = None

    def fetch(self, cursor: str | None) -> Iterator[Fetched]:
        """Search since ``cursor``; then, when streaming, follow the stream."""
        import tweepy

        position = cursor
        if cursor is not None or self.poll_interval is not None:
            for item in self._search(cursor):
                position = item.position or position
                yield item
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

    def _search(self, since_id: str | None) -> Iterator[Fetched]:
        import tweepy

        items: list[Fetched] = []
        position = since_id
        for query in self.rules:
            token = None
            for _ in range(10):  # pages
                try:
                    page = self.client.search_recent_tweets(
                        query,
                        since_id=since_id,
                        max_results=100,
                        next_token=token,
                        expansions=EXPANSIONS,
                        tweet_fields=TWEET_FIELDS,
                        user_fields=USER_FIELDS,
                    )
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
        for item in items:
            if item.record is not None:
                position = later(position, item.record.external_id)
            yield Fetched(item.record, position, problem=item.problem)

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

    def _read_line(self, raw: bytes, position: str | None) -> Fetched:
        try:
            payload = json.loads(raw)
        except ValueError:
            return Fetched(None, problem="x: a stream line was not valid JSON")
        if not isinstance(payload, dict):
            return Fetched(None, problem="x: a stream line was not an object")
        data = payload.get("data")
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


def _fetched(tweet: dict[str, Any], users: dict[str, dict[str, Any]]) -> Fetched:
    try:
        return Fetched(normalize_tweet(tweet, users))
    except (KeyError, TypeError, ValueError) as exc:
        return Fetched(None, problem=f"x: unreadable tweet: {exc}")


def make_clients(bearer_token: str, *, use_stream: bool) -> tuple[Any, Any | None]:
    """A REST client returning raw JSON, and the streaming client (or None)."""
    import tweepy

    client = tweepy.Client(bearer_token=bearer_token, return_type=dict, wait_on_rate_limit=False)
    stream = tweepy.StreamingClient(bearer_token, max_retries=0) if use_stream else None
    return client, stream
