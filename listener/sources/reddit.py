"""Reddit (praw 8): new comments and submissions, one listing per subreddit, and r/all search.

Each listing is polled newest first, 100 items a request. What was already yielded is known
by a bounded window of seen ids (with the edit's time, so an edit is new), not by a time cut:
a post a moderator approves late, or one search indexes late, is yielded once when it shows
up. The cursor is the newest ``created_utc`` read; a restart re-reads the first page and the
store's unique key keeps each post once.

A poll that finds many new items shortens that listing's wait (:func:`next_interval`), so a
busy subreddit is read again before 100 new items push the unread ones out of reach; quiet
listings slow back to ``poll_seconds``. When a full page's oldest item is still newer than the
cursor, more items arrived than one page holds (:func:`find_gap`): the listing is paged
further back (up to Reddit's 1,000 items); what remains unreachable is recorded as a gap
(``store.gaps``) and, for submissions and search, backfilled by a keyword search over the
gap's time range. Reddit's search returns no comments, so a comment gap stays open.

Local keyword matching applies to subreddit listings; search results are kept as Reddit's
search found them (a plural or a link it matched is not dropped by a second, local filter).
Edited posts replace the stored text; ``[removed]``/``[deleted]`` posts purge it. A missing
``permalink`` is rebuilt from the subreddit and the ids.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from core.backoff import reset_in
from core.clock import SYSTEM_CLOCK, Clock
from core.errors import SourceAuthError, SourceError, SourceRateLimited, SourceUnavailable
from core.records import AuthorRecord, MentionRecord, no_author
from listener.base import Fetched, deletion_notice

log = logging.getLogger(__name__)

#: Items in one listing page (Reddit's most).
LIMIT = 100
#: How far back a listing can be paged (Reddit keeps about 1,000 items per listing).
LISTING_DEPTH = 1000
#: Ids remembered per listing.
WINDOW = 10_000
TOKEN_PATH = "/api/v1/access_token"  # noqa: S105 (a path, not a secret)
_REMOVED = {"[removed]", "[deleted]"}


def reddit_endpoints(api_base_url: str | None, token_url: str | None) -> dict[str, str]:
    """praw's ``oauth_url``/``reddit_url`` for the settings (empty: Reddit's own hosts).

    prawcore fetches the token from ``{reddit_url}/api/v1/access_token``, so the token URL is
    set through its host; without one, the API base serves the token too (a gateway, a replay).
    """
    endpoints: dict[str, str] = {}
    if api_base_url:
        endpoints["oauth_url"] = api_base_url.rstrip("/")
        endpoints["reddit_url"] = api_base_url.rstrip("/")
    if token_url:
        endpoints["reddit_url"] = token_url.rstrip("/").removesuffix(TOKEN_PATH)
    return endpoints


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
    kwargs.update(
        reddit_endpoints(
            getattr(settings, "api_base_url", None), getattr(settings, "token_url", None)
        )
    )
    kwargs.update(overrides)
    return praw.Reddit(**kwargs)


def _attr(thing: Any, name: str, default: Any = None) -> Any:
    """An attribute praw already has; never ``getattr`` (that triggers a lazy fetch)."""
    return vars(thing).get(name, default)


def _short_id(fullname: str | None) -> str | None:
    return fullname.split("_", 1)[1] if fullname and "_" in fullname else fullname


def thing_url(thing: Any) -> str | None:
    """The post's link: its ``permalink``, or one built from the subreddit and the ids."""
    permalink = _attr(thing, "permalink", None)
    if permalink:
        return f"https://www.reddit.com{permalink}"
    subreddit = str(_attr(thing, "subreddit", "") or "")
    own = _attr(thing, "id", None) or _short_id(str(thing.name))
    if not subreddit or not own:
        return None
    if _attr(thing, "body", None) is not None:
        post = _short_id(_attr(thing, "link_id", None))
        if not post:
            return None
        return f"https://www.reddit.com/r/{subreddit}/comments/{post}/_/{own}/"
    return f"https://www.reddit.com/r/{subreddit}/comments/{own}/"


def normalize_thing(thing: Any) -> tuple[MentionRecord, bool]:
    """A praw Comment or Submission as (mention, edited?)."""
    is_comment = _attr(thing, "body", None) is not None
    author = _attr(thing, "author", None)
    handle = str(author) if author is not None else ""
    author_id = _attr(thing, "author_fullname", None) or handle
    if handle in ("", "[deleted]"):  # a deleted account: no author, never a shared one
        who = no_author("reddit")
    else:
        who = AuthorRecord(platform="reddit", platform_id=str(author_id), handle=handle)
    if is_comment:
        text = str(thing.body)
    else:
        text = "\n\n".join(p for p in (thing.title, _attr(thing, "selftext", "")) if p)
    link_id = _attr(thing, "link_id", None)
    record = MentionRecord(
        source="reddit",
        external_id=str(thing.name),
        author=who,
        text=text,
        created_at=datetime.fromtimestamp(float(thing.created_utc), UTC),
        url=thing_url(thing),
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
        reset_at = reset_in(headers.get("x-ratelimit-reset"), clock=clock)
        return SourceRateLimited("reddit: rate limited", source="reddit", reset_at=reset_at)
    if isinstance(exc, pe.OAuthException | pe.Forbidden | pe.InvalidToken):
        return SourceAuthError(f"reddit: credentials refused ({exc})", source="reddit")
    if isinstance(exc, pe.ResponseException) and getattr(exc.response, "status_code", 0) == 401:
        return SourceAuthError("reddit: credentials refused (401)", source="reddit")
    return SourceUnavailable(f"reddit: {type(exc).__name__}: {exc}", source="reddit")


# -- pure scheduling and gap arithmetic --------------------------------------------------------


def next_interval(
    current: float, new_items: int, *, floor: float, ceiling: float, page: int = LIMIT
) -> float:
    """The wait before a listing's next poll, after a poll that found ``new_items`` new ones.

    The wait aims to meet about a quarter of a page per poll, so the next poll comes well
    before ``page`` new items pass: a busy poll shortens the wait at once (in proportion to
    the rate seen), a quiet one lengthens it by half, never past ``ceiling`` nor under
    ``floor``.
    """
    current = min(max(current, floor), ceiling)
    target = page / 4
    if new_items > target:
        wanted = current * target / new_items
    elif new_items == 0:
        wanted = current * 1.5
    else:
        wanted = min(current * 1.5, current * target / new_items)
    return min(max(wanted, floor), ceiling)


def poll_floor(listings: int, *, min_poll_seconds: float, requests_per_minute: float) -> float:
    """The shortest wait between polls of one listing so ``listings`` stay within the rate.

    Every listing polled at this pace makes ``requests_per_minute`` together; gap backfills
    page beyond that, which is why the default rate leaves Reddit's 100 a little headroom.
    """
    return max(min_poll_seconds, 60.0 * max(listings, 1) / requests_per_minute)


def find_gap(
    created: Iterable[float], *, since: float | None, full: bool
) -> tuple[float, float] | None:
    """The span a poll could not cover: (cursor, oldest item) when a full page starts after it.

    A page that holds fewer items than asked for reached the listing's end, so nothing is
    missing; neither is anything when the oldest item reaches back to the cursor.
    """
    times = list(created)
    if since is None or not full or not times:
        return None
    oldest = min(times)
    return (since, oldest) if oldest > since else None


def time_filter_for(start: datetime, now: datetime) -> str:
    """Reddit search's narrowest ``time_filter`` that still reaches back to ``start``."""
    age = now - start
    for name, span in (
        ("hour", timedelta(hours=1)),
        ("day", timedelta(days=1)),
        ("week", timedelta(weeks=1)),
        ("month", timedelta(days=31)),
        ("year", timedelta(days=366)),
    ):
        if age < span:
            return name
    return "all"


class GapRecorder(Protocol):
    """Where gaps are kept (``store.gaps.GapLog``, handed over by the runner)."""

    def record(
        self, source: str, start: datetime, end: datetime, reason: str, *, backfilled: bool = False
    ) -> int | None: ...

    def backfilled(self, gap_id: int) -> None: ...


@dataclass(frozen=True)
class Gap:
    """Items ``(start, end)`` (``created_utc``) a listing could not read."""

    start: float
    end: float


class SeenWindow:
    """The last ``size`` keys yielded by one listing; thread-safe enough for one reader."""

    def __init__(self, size: int = WINDOW) -> None:
        self.size = size
        self._keys: OrderedDict[tuple[str, str], None] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def add(self, key: tuple[str, str]) -> None:
        """Remember ``key``, forgetting the oldest beyond ``size``."""
        self._keys[key] = None
        self._keys.move_to_end(key)
        while len(self._keys) > self.size:
            self._keys.popitem(last=False)

    def __len__(self) -> int:
        return len(self._keys)


def _version(thing: Any) -> tuple[str, str]:
    """The key a thing is seen under: its fullname and what state it is in."""
    state = "removed" if is_removed(thing) else str(_attr(thing, "edited", False) or "")
    return str(thing.name), state


class RedditSource:
    """One Reddit listing, polled: ``comments`` or ``submissions`` of a subreddit, or ``search``.

    ``query`` (the brand's keywords in Reddit's search syntax) backfills a subreddit's gaps;
    ``gaps`` records them (the runner hands every source with a ``gaps`` of None its log).
    """

    platform = "reddit"
    prefiltered = False

    def __init__(
        self,
        reddit: Any,
        kind: str,
        target: str,
        *,
        poll_interval: float = 60.0,
        min_poll_interval: float | None = None,
        query: str | None = None,
        gaps: GapRecorder | None = None,
        window: int = WINDOW,
        page_size: int = LIMIT,
        depth: int = LISTING_DEPTH,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        if kind not in ("comments", "submissions", "search"):
            raise ValueError(f"unknown Reddit listing {kind!r}")
        self.reddit, self.kind, self.target = reddit, kind, target
        self.poll_seconds = poll_interval
        self.min_poll_seconds = min(
            poll_interval, poll_interval if min_poll_interval is None else min_poll_interval
        )
        self.poll_interval: float | None = poll_interval
        self.query = target if kind == "search" else query
        self.gaps = gaps
        self.clock = clock
        self.seen = SeenWindow(window)
        self.page_size, self.depth = page_size, max(depth, page_size)
        self.name = f"reddit:{kind}:{target.lower()}"
        #: The gaps this source found (also recorded through ``gaps`` when it has one).
        self.found_gaps: list[Gap] = []
        self._backfilled: list[int] = []
        self._closed = threading.Event()

    # -- requests ----------------------------------------------------------------------------
    def _listing(self, limit: int, after: str | None = None) -> Iterator[Any]:
        paging: dict[str, Any] = {"params": {"after": after}} if after else {}
        if self.kind == "search":
            return self.reddit.subreddit("all").search(
                self.target, sort="new", limit=limit, **paging
            )
        sub = self.reddit.subreddit(self.target)
        if self.kind == "comments":
            return sub.comments(limit=limit, **paging)
        return sub.new(limit=limit, **paging)

    def _search(self, gap: Gap) -> list[Any]:
        """Search results created within ``gap`` (newest first, paged until past its start)."""
        where = "all" if self.kind == "search" else self.target
        start = datetime.fromtimestamp(gap.start, UTC)
        found = []
        results = self.reddit.subreddit(where).search(
            self.query,
            sort="new",
            time_filter=time_filter_for(start, self.clock.now()),
            limit=self.depth,
        )
        for thing in results:
            created = float(thing.created_utc)
            if created < gap.start:
                break
            if created <= gap.end:
                found.append(thing)
        return found

    # -- one poll ----------------------------------------------------------------------------
    def fetch(self, cursor: str | None) -> Iterator[Fetched]:
        """One poll: the items not seen yet, oldest first; the position is the newest time."""
        from praw.exceptions import PRAWException
        from prawcore.exceptions import PrawcoreException

        since = float(cursor) if cursor else None
        self._settle_backfills()
        try:
            things = list(self._listing(self.page_size))
            gap = find_gap(
                (float(t.created_utc) for t in things),
                since=since,
                full=len(things) >= self.page_size,
            )
            if gap is not None and things and self.depth > self.page_size:
                # Page further back before calling it lost: Reddit keeps ~1,000 per listing.
                more = list(self._listing(self.depth - self.page_size, after=str(things[-1].name)))
                things += more
                reached = [float(t.created_utc) for t in things]
                gap = find_gap(reached, since=since, full=True)
            found: list[Any] = []
            if gap is not None:
                found = self._open_gap(Gap(*gap))
        except (PrawcoreException, PRAWException) as exc:
            raise translate_error(exc) from None
        fresh = self._unseen(things)
        new_items = sum(1 for t in fresh if since is None or float(t.created_utc) > since)
        self.poll_interval = next_interval(
            self.poll_interval or self.poll_seconds,
            new_items,
            floor=self.min_poll_seconds,
            ceiling=self.poll_seconds,
            page=self.page_size,
        )
        searched = {str(t.name) for t in found}
        position = since or 0.0
        for thing in sorted(fresh + self._unseen(found), key=lambda t: float(t.created_utc)):
            if self._closed.is_set():
                return
            self.seen.add(_version(thing))
            position = max(position, float(thing.created_utc))
            by_search = self.kind == "search" or str(thing.name) in searched
            yield _fetched(thing, repr(position), matched_by_platform=by_search)

    def _unseen(self, things: list[Any]) -> list[Any]:
        """``things`` not yielded before in their present state, each once."""
        keys: set[tuple[str, str]] = set()
        unseen = []
        for thing in things:
            key = _version(thing)
            if key not in self.seen and key not in keys:
                keys.add(key)
                unseen.append(thing)
        return unseen

    # -- gaps --------------------------------------------------------------------------------
    def _open_gap(self, gap: Gap) -> list[Any]:
        """Record ``gap`` and return what search finds in it (comments cannot be searched)."""
        self.found_gaps.append(gap)
        searchable = self.kind != "comments" and bool(self.query)
        reason = (
            f"more than {self.depth} new items between two polls"
            if searchable
            else f"more than {self.depth} new comments between two polls; "
            "Reddit's search returns no comments"
        )
        log.warning("%s: %s: %s .. %s", self.name, reason, _iso(gap.start), _iso(gap.end))
        gap_id = self._record(gap, reason)
        if not searchable:
            return []
        found = self._search(gap)
        if gap_id is not None:
            self._backfilled.append(gap_id)
        return found

    def _record(self, gap: Gap, reason: str) -> int | None:
        if self.gaps is None:
            return None
        start = datetime.fromtimestamp(gap.start, UTC)
        end = datetime.fromtimestamp(gap.end, UTC)
        return self.gaps.record(self.name, start, end, reason)

    def _settle_backfills(self) -> None:
        """Mark the last poll's searched gaps backfilled (its results were handed over)."""
        if self.gaps is not None:
            for gap_id in self._backfilled:
                self.gaps.backfilled(gap_id)
        self._backfilled = []

    def close(self) -> None:
        """Stop yielding: each poll is a short request, nothing else blocks."""
        self._closed.set()


def _fetched(thing: Any, position: str, *, matched_by_platform: bool) -> Fetched:
    """One thing as what the loop takes: a deletion notice, a post, or a problem."""
    if is_removed(thing):
        return Fetched(deletion_notice("reddit", str(thing.name)), position)
    try:
        record, edited = normalize_thing(thing)
    except (AttributeError, TypeError, ValueError) as exc:
        return Fetched(None, position, problem=f"reddit: unreadable item: {exc}")
    return Fetched(record, position, edit=edited, matched_by_platform=matched_by_platform)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()
