"""Reddit (praw 8): replies with ``Comment.reply``/``Submission.reply``, private ones as messages,
the brand's own posts as self posts (``Subreddit.submit``) on its profile or its subreddit.

prawcore retries a request that met a 5xx or a dropped connection, twice, POSTs included: a
reply whose first answer was lost could then be posted twice. The sender's client makes one
attempt per call instead, and leaves retrying to the worker, which reconciles first. praw's own
wait on Reddit's ``RATELIMIT`` answer is off too (``ratelimit_seconds=0``): the wait comes back
as :class:`~core.errors.SourceRateLimited` with its reset time.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from prawcore.sessions import FiniteRetryStrategy

from core.backoff import reset_in
from core.clock import SYSTEM_CLOCK, Clock
from core.errors import SourceAuthError, SourceRateLimited, SourceUnavailable
from outbound.base import OutgoingPost, OutgoingReply, SendRejected, SentReceipt
from outbound.senders import TIMEOUT_S, same_text

log = logging.getLogger(__name__)

CLOCK_SKEW = timedelta(minutes=2)
WEB = "https://www.reddit.com"
_PAGE = 100
_WAIT = re.compile(r"(\d+)\s*(millisecond|second|minute|hour)", re.IGNORECASE)


class RedditSender:
    """Replies as the brand's Reddit account (a script app, or a refresh token).

    The token needs the ``submit`` and ``history`` scopes, and ``privatemessages`` for private
    messages. ``username`` is the brand's account name, whose
    comment history reconciliation reads. ``oauth_url`` and ``reddit_url`` point praw elsewhere
    (a loopback fake); ``subject`` heads private messages. The brand's own posts (status updates)
    go to ``status_subreddit`` (default: the account's profile, ``u_<username>``) as self posts
    titled ``status_title``.
    """

    platform = "reddit"

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str | None,
        user_agent: str,
        username: str,
        password: str | None = None,
        refresh_token: str | None = None,
        oauth_url: str | None = None,
        reddit_url: str | None = None,
        subject: str = "About your post",
        status_subreddit: str | None = None,
        status_title: str = "Status update",
        timeout: float = TIMEOUT_S,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        import praw

        kwargs: dict[str, Any] = {
            "client_id": client_id,
            "client_secret": client_secret,
            "user_agent": user_agent,
            "check_for_updates": False,
            "ratelimit_seconds": 0,
            "timeout": int(timeout),
        }
        if refresh_token:
            kwargs["refresh_token"] = refresh_token
        else:
            kwargs["username"], kwargs["password"] = username, password
        if oauth_url:
            kwargs["oauth_url"] = oauth_url
        if reddit_url:
            kwargs["reddit_url"] = reddit_url
        self.reddit = praw.Reddit(**kwargs)
        for core in (self.reddit._core, self.reddit._authorized_core):
            if core is not None:
                core._retry_strategy_class = _OneAttempt
        self.username = username.removeprefix("u/")
        self.subject = subject
        self.status_subreddit = (status_subreddit or "").removeprefix("r/") or (
            f"u_{self.username}"
        )
        self.status_title = status_title
        self.clock = clock

    def send(self, reply: OutgoingReply) -> SentReceipt:
        """Post ``reply`` under the comment or submission it answers, or message its author."""
        started = self.clock.now()
        if reply.private:
            if not reply.recipient_handle:
                raise SendRejected("a private message needs the author's username", source="reddit")
            redditor = self.reddit.redditor(reply.recipient_handle.removeprefix("u/"))
            self._call(redditor.message, subject=self.subject, message=reply.text)
            found = self.find_sent(reply, since=started)
            # Reddit's answer to a message carries no id; without one in the sent box, the key
            # stands in so the outbox still records the send.
            return found or SentReceipt(f"message:{reply.idempotency_key}", None)
        comment = self._call(self._parent(reply.in_reply_to).reply, reply.text)
        if comment is None:  # posted, but Reddit showed nothing back (quarantined subreddits)
            found = self.find_sent(reply, since=started)
            if found is None:
                raise SourceUnavailable("reddit: the reply's answer was empty", source="reddit")
            return found
        return _receipt(comment)

    def find_sent(self, reply: OutgoingReply, *, since: datetime) -> SentReceipt | None:
        """The brand's comment (or sent message) with this text, answering the same post."""
        earliest = (since - CLOCK_SKEW).timestamp()
        if reply.private:
            listing = self.reddit.inbox.sent(limit=_PAGE)
            wanted = (reply.recipient_handle or "").removeprefix("u/").lower()
            for message in self._call(list, listing):
                data = vars(message)
                if (
                    float(data.get("created_utc") or 0) >= earliest
                    and str(data.get("dest") or "").lower() == wanted
                    and same_text(reply.text, str(data.get("body") or ""))
                ):
                    url = f"{WEB}/message/messages/{data.get('id')}"
                    return SentReceipt(str(data.get("name") or f"t4_{data.get('id')}"), url)
            return None
        listing = self.reddit.redditor(self.username).comments.new(limit=_PAGE)
        for comment in self._call(list, listing):
            data = vars(comment)
            if (
                float(data.get("created_utc") or 0) >= earliest
                and data.get("parent_id") == reply.in_reply_to
                and same_text(reply.text, str(data.get("body") or ""))
            ):
                return _receipt(comment)
        return None

    def post(self, post: OutgoingPost) -> SentReceipt:
        """Submit a self post on the brand's status subreddit (its profile by default)."""
        started = self.clock.now()
        subreddit = self.reddit.subreddit(self.status_subreddit)
        submission = self._call(subreddit.submit, self.status_title, selftext=post.text)
        if submission is None:
            found = self.find_post(post, since=started)
            if found is None:
                raise SourceUnavailable("reddit: the post's answer was empty", source="reddit")
            return found
        return _post_receipt(submission)

    def find_post(self, post: OutgoingPost, *, since: datetime) -> SentReceipt | None:
        """The brand's self post with this text on its status subreddit, since ``since``."""
        earliest = (since - CLOCK_SKEW).timestamp()
        listing = self.reddit.redditor(self.username).submissions.new(limit=_PAGE)
        for submission in self._call(list, listing):
            data = vars(submission)
            where = str(data.get("subreddit") or data.get("subreddit_name_prefixed") or "")
            if (
                float(data.get("created_utc") or 0) >= earliest
                and where.removeprefix("r/").lower() == self.status_subreddit.lower()
                and same_text(post.text, str(data.get("selftext") or ""))
            ):
                return _post_receipt(submission)
        return None

    def _parent(self, fullname: str | None) -> Any:
        if fullname and fullname.startswith("t1_"):
            return self.reddit.comment(id=fullname[3:])
        if fullname and fullname.startswith("t3_"):
            return self.reddit.submission(id=fullname[3:])
        raise SendRejected(
            f"a Reddit reply answers a comment (t1_) or a post (t3_), not {fullname!r}",
            source="reddit",
        )

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            translated = translate_error(exc, clock=self.clock)
            if translated is exc:
                raise
            raise translated from exc


def _receipt(comment: Any) -> SentReceipt:
    data = vars(comment)
    permalink = data.get("permalink")
    url: str | None
    if permalink:
        url = f"{WEB}{permalink}"
    else:
        link = str(data.get("link_id") or "")
        url = f"{WEB}/comments/{link[3:]}/_/{data.get('id')}/" if link else None
    return SentReceipt(str(data.get("name") or f"t1_{data.get('id')}"), url)


def _post_receipt(submission: Any) -> SentReceipt:
    data = vars(submission)
    permalink = data.get("permalink")
    url = f"{WEB}{permalink}" if permalink else data.get("url")
    return SentReceipt(str(data.get("name") or f"t3_{data.get('id')}"), url)


def translate_error(exc: Exception, *, clock: Clock = SYSTEM_CLOCK) -> Exception:
    """praw's and prawcore's exceptions as the product's: transient, credentials, or final."""
    from praw.exceptions import RedditAPIException
    from prawcore import exceptions as pe

    if isinstance(exc, RedditAPIException):
        for item in exc.items:
            if item.error_type == "RATELIMIT":
                return SourceRateLimited(
                    f"reddit: {item.message}",
                    source="reddit",
                    reset_at=_wait_until(item.message or "", clock),
                )
        words = "; ".join(
            f"{item.message or item.error_type} ({item.error_type})" for item in exc.items
        )
        return SendRejected(words, source="reddit")
    if isinstance(exc, pe.TooManyRequests):
        reset = exc.response.headers.get("x-ratelimit-reset") if exc.response is not None else None
        reset_at = reset_in(reset, clock=clock)
        return SourceRateLimited("reddit: rate limited", source="reddit", reset_at=reset_at)
    if isinstance(exc, pe.ServerError | pe.RequestException):
        return SourceUnavailable(f"reddit: {type(exc).__name__}: {exc}", source="reddit")
    if isinstance(exc, pe.OAuthException | pe.InvalidToken):
        return SourceAuthError(f"reddit: credentials refused ({exc})", source="reddit")
    if isinstance(exc, pe.ResponseException):
        status = exc.response.status_code
        if status == 401:
            return SourceAuthError("reddit: credentials refused (401)", source="reddit")
        if status == 403:
            words = (
                "403 Forbidden: the brand's account may not post there (banned, private or locked)"
            )
            return SendRejected(words, source="reddit")
        if status == 404:
            return SendRejected("404 Not Found: the post answered is gone", source="reddit")
        if status >= 500:
            return SourceUnavailable(f"reddit: {status}", source="reddit")
        return SendRejected(f"{status} {exc.response.reason}", source="reddit")
    return exc


def _wait_until(message: str, clock: Clock) -> datetime | None:
    """The end of the wait Reddit names ("try again in 5 minutes")."""
    match = _WAIT.search(message)
    if not match:
        return None
    amount, unit = int(match.group(1)), match.group(2).lower()
    seconds = {"millisecond": 0.001, "second": 1, "minute": 60, "hour": 3600}[unit] * amount
    return clock.now().astimezone(UTC) + timedelta(seconds=seconds)


@dataclass(frozen=True)
class _OneAttempt(FiniteRetryStrategy):
    """prawcore's retry strategy with no retries: one HTTP attempt per call."""

    DEFAULT_RETRIES: ClassVar[int] = 0
    retries: int = 0
