"""Reddit (praw 8): new comments and submissions on chosen subreddits, and r/all search.

Listings are polled newest first; the cursor is the newest ``created_utc`` stored, and a
poll keeps items at or after it, plus older ones that were edited or removed (the seen set
and the store drop the overlap). Local
keyword matching applies to subreddit listings; search results are kept as Reddit's search
found them (a plural or a link it matched is not dropped by a second, local filter).
Edited posts replace the stored text; ``[removed]``/``[deleted]`` posts purge it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from core.clock import SYSTEM_CLOCK, Clock
from core.errors import SourceAuthError, SourceError, SourceRateLimited, SourceUnavailable
from core.records import AuthorRecord, MentionRecord
from listener.base import Fetched, deletion_notice

log = logging.getLogger(__name__)

LIMIT = 100
_REMOVED = {"[removed]", "[deleted]"}


def make_reddit(settings: Any, **overrides: Any) -> Any:
    """A praw client from ``RedditSettings`` (``overrides`` point it elsewhere in tests)."""
    import praw

    kwargs: dict[str, Any] = {
        "client_id": settings.client_id,
        "client_secret": settings.client_secret.get_secret_value()
        if settings.client_secret
        else None,
        "user_agent": settings.user_agent,
        "check_for_updates": False,
    }
    if settings.username and settings.password:
        kwargs["username"] = settings.username
        kwargs["password"] = settings.password.get_secret_value()
    kwargs.update(overrides)
    return praw.Reddit(**kwargs)


def _attr(thing: Any, name: str, default: Any = None) -> Any:
    """An attribute praw already has; never ``getattr`` (that triggers a lazy fetch)."""
    return vars(thing).get(name, default)


def normalize_thing(thing: Any) -> tuple[MentionRecord, bool]:
    """A praw Comment or Submission as (mention, edited?)."""
    is_comment = _attr(thing, "body", None) is not None
    author = _attr(thing, "author", None)
    handle = str(author) if author is not None else "[deleted]"
    author_id = _attr(thing, "author_fullname", None) or handle
    if is_comment:
        text = str(thing.body)
    else:
        text = "\n\n".join(p for p in (thing.title, _attr(thing, "selftext", "")) if p)
    link_id = _attr(thing, "link_id", None)
    record = MentionRecord(
        source="reddit",
        external_id=str(thing.name),
        author=AuthorRecord(platform="reddit", platform_id=str(author_id), handle=handle),
        text=text,
        created_at=datetime.fromtimestamp(float(thing.created_utc), UTC),
        url=f"https://www.reddit.com{thing.permalink}" if _attr(thing, "permalink", None) else None,
        in_reply_to=_attr(thing, "parent_id", None) if is_comment else None,
        thread_id=link_id if is_comment else str(thing.name),
        raw={"subreddit": str(_attr(thing, "subreddit", "")) or None},
    )
    return record, bool(_attr(thing, "edited", False))


def is_removed(thing: Any) -> bool:
    """True for posts removed by moderators or deleted by their author."""
    body = _attr(thing, "body", None)
    if body is None:
        body = _attr(thing, "selftext", "")
    return str(body).strip() in _REMOVED or bool(_attr(thing, "removed_by_category", None))


def translate_error(exc: Exception, *, clock: Clock = SYSTEM_CLOCK) -> SourceError:
    """prawcore's exceptions as the product's error tree (``clock`` dates a rate-limit reset)."""
    from prawcore import exceptions as pe

    if isinstance(exc, pe.TooManyRequests):
        headers = exc.response.headers if exc.response is not None else {}
        reset = headers.get("x-ratelimit-reset")
        reset_at = None
        if reset:
            try:  # Reddit sends the seconds left in the window
                reset_at = clock.now() + timedelta(seconds=float(reset))
            except ValueError:
                reset_at = None
        return SourceRateLimited("reddit: rate limited", source="reddit", reset_at=reset_at)
    if isinstance(exc, pe.OAuthException | pe.Forbidden | pe.InvalidToken):
        return SourceAuthError(f"reddit: credentials refused ({exc})", source="reddit")
    if isinstance(exc, pe.ResponseException) and getattr(exc.response, "status_code", 0) == 401:
        return SourceAuthError("reddit: credentials refused (401)", source="reddit")
    return SourceUnavailable(f"reddit: {type(exc).__name__}: {exc}", source="reddit")


class RedditSource:
    """One Reddit listing, polled: ``comments`` or ``submissions`` of subreddits, or ``search``."""

    platform = "reddit"
    prefiltered = False

    def __init__(self, reddit: Any, kind: str, target: str, *, poll_interval: float = 60.0) -> None:
        if kind not in ("comments", "submissions", "search"):
            raise ValueError(f"unknown Reddit listing {kind!r}")
        self.reddit, self.kind, self.target = reddit, kind, target
        self.poll_interval: float | None = poll_interval
        self.name = f"reddit:{kind}:{target.lower()}"

    def _listing(self) -> Iterator[Any]:
        if self.kind == "search":
            return self.reddit.subreddit("all").search(self.target, sort="new", limit=LIMIT)
        sub = self.reddit.subreddit(self.target)
        return sub.comments(limit=LIMIT) if self.kind == "comments" else sub.new(limit=LIMIT)

    def fetch(self, cursor: str | None) -> Iterator[Fetched]:
        """One poll: items created at or after ``cursor`` (a ``created_utc``), oldest first."""
        from praw.exceptions import PRAWException
        from prawcore.exceptions import PrawcoreException

        since = float(cursor) if cursor else 0.0
        try:
            # Older items only matter when they changed: an edit or a removal.
            things = [
                t
                for t in self._listing()
                if float(t.created_utc) >= since or _attr(t, "edited", False) or is_removed(t)
            ]
        except (PrawcoreException, PRAWException) as exc:
            raise translate_error(exc) from None
        things.sort(key=lambda t: float(t.created_utc))
        position = since
        for thing in things:
            position = max(position, float(thing.created_utc))
            pos = repr(position)
            if is_removed(thing):
                yield Fetched(deletion_notice("reddit", str(thing.name)), pos)
                continue
            try:
                record, edited = normalize_thing(thing)
            except (AttributeError, TypeError, ValueError) as exc:
                yield Fetched(None, pos, problem=f"reddit: unreadable item: {exc}")
                continue
            yield Fetched(record, pos, edit=edited, matched_by_platform=self.kind == "search")

    def close(self) -> None:
        """Nothing to unblock: each poll is a short request."""
