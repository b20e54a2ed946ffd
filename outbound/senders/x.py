"""X (tweepy 4.17, API v2): public replies and the brand's own posts with ``create_tweet``,
private replies as messages.

tweepy's host is fixed to ``api.twitter.com``; ``api_base`` rewrites every request to another
base (a loopback fake, or a proxy) with a ``requests`` adapter, which also sets the timeout
tweepy itself never sets. tweepy does not retry: 429 and 5xx come straight back, so a send is
one HTTP call, and the worker decides what happens next.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from core.errors import ConfigError, SourceAuthError, SourceRateLimited, SourceUnavailable
from outbound.base import OutgoingPost, OutgoingReply, SendRejected, SentReceipt
from outbound.senders import TIMEOUT_S, epoch_to_utc, parse_time, same_text

log = logging.getLogger(__name__)

#: How far a platform's clock may be behind ours when reconciling.
CLOCK_SKEW = timedelta(minutes=2)
_PAGE = 100


class _Adapter(HTTPAdapter):
    """Sets a timeout on every request and, given a base, sends it there instead."""

    def __init__(self, base: str | None, timeout: float) -> None:
        super().__init__()
        self.base = urlsplit(base) if base else None
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kw: Any) -> requests.Response:  # type: ignore[override]
        if self.base is not None:
            parts = urlsplit(request.url or "")
            request.url = urlunsplit(
                (self.base.scheme, self.base.netloc, parts.path, parts.query, "")
            )
        if kw.get("timeout") is None:
            kw["timeout"] = self.timeout
        return super().send(request, **kw)


class XSender:
    """Replies and messages as the brand's X account.

    Credentials are either OAuth 1.0a user context (``consumer_key``, ``consumer_secret``,
    ``access_token``, ``access_token_secret``) or an OAuth 2.0 user access token
    (``user_token``, scopes ``tweet.read tweet.write users.read dm.read dm.write``).
    ``user_id`` is the brand's numeric id (looked up once with ``users/me`` when absent);
    ``handle`` only shapes the links of what was posted.
    """

    platform = "x"

    def __init__(
        self,
        *,
        consumer_key: str | None = None,
        consumer_secret: str | None = None,
        access_token: str | None = None,
        access_token_secret: str | None = None,
        user_token: str | None = None,
        user_id: str | None = None,
        handle: str | None = None,
        api_base: str | None = None,
        timeout: float = TIMEOUT_S,
    ) -> None:
        import tweepy

        oauth1 = (consumer_key, consumer_secret, access_token, access_token_secret)
        if all(oauth1):
            self._user_auth = True
            self.client = tweepy.Client(
                consumer_key=consumer_key,
                consumer_secret=consumer_secret,
                access_token=access_token,
                access_token_secret=access_token_secret,
                return_type=dict,
                wait_on_rate_limit=False,
            )
        elif user_token:
            self._user_auth = False
            self.client = tweepy.Client(
                bearer_token=user_token, return_type=dict, wait_on_rate_limit=False
            )
        else:
            raise ConfigError(
                "x: sending needs the brand's user-context keys (consumer key and secret, "
                "access token and secret) or an OAuth 2.0 user access token"
            )
        session: requests.Session = self.client.session
        session.trust_env = api_base is None
        adapter = _Adapter(api_base, timeout)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        self.user_id = user_id
        self.handle = handle.lstrip("@") if handle else None

    def send(self, reply: OutgoingReply) -> SentReceipt:
        """Post ``reply`` as a tweet in reply, or as a private message to its author."""
        if reply.private:
            if not reply.recipient_id:
                raise SendRejected("a private message needs the author's X user id", source="x")
            body = self._call(
                self.client.create_direct_message,
                participant_id=reply.recipient_id,
                text=reply.text,
            )
            data = body["data"]
            return SentReceipt(str(data["dm_event_id"]), _dm_url(data.get("dm_conversation_id")))
        body = self._call(
            self.client.create_tweet, text=reply.text, in_reply_to_tweet_id=reply.in_reply_to
        )
        tweet_id = str(body["data"]["id"])
        return SentReceipt(tweet_id, self._tweet_url(tweet_id))

    def post(self, post: OutgoingPost) -> SentReceipt:
        """Post a tweet of the brand's own (answering nothing)."""
        body = self._call(self.client.create_tweet, text=post.text)
        tweet_id = str(body["data"]["id"])
        return SentReceipt(tweet_id, self._tweet_url(tweet_id))

    def find_post(self, post: OutgoingPost, *, since: datetime) -> SentReceipt | None:
        """The brand's tweet with this text answering nothing, since ``since``."""
        return self.find_sent(post.as_reply(), since=since)

    def find_sent(self, reply: OutgoingReply, *, since: datetime) -> SentReceipt | None:
        """The brand's tweet or message with this text, answering the same post, since ``since``."""
        earliest = since - CLOCK_SKEW
        if reply.private:
            if not reply.recipient_id:
                return None
            me = self._me()
            body = self._call(
                self.client.get_direct_message_events,
                participant_id=reply.recipient_id,
                dm_event_fields=["created_at", "sender_id", "text", "dm_conversation_id"],
                event_types="MessageCreate",
                max_results=_PAGE,
            )
            for event in body.get("data") or []:
                at = parse_time(event.get("created_at"))
                if (
                    str(event.get("sender_id")) == me
                    and (at is None or at >= earliest)
                    and same_text(reply.text, event.get("text") or "")
                ):
                    return SentReceipt(str(event["id"]), _dm_url(event.get("dm_conversation_id")))
            return None
        body = self._call(
            self.client.get_users_tweets,
            self._me(),
            start_time=earliest,
            max_results=_PAGE,
            exclude=["retweets"],
            tweet_fields=["created_at", "referenced_tweets", "conversation_id"],
        )
        for tweet in body.get("data") or []:
            parents = [
                str(ref.get("id"))
                for ref in tweet.get("referenced_tweets") or []
                if ref.get("type") == "replied_to"
            ]
            wanted = [reply.in_reply_to] if reply.in_reply_to else []
            if parents == wanted and same_text(reply.text, tweet.get("text") or ""):
                return SentReceipt(str(tweet["id"]), self._tweet_url(str(tweet["id"])))
        return None

    def _me(self) -> str:
        if self.user_id is None:
            body = self._call(self.client.get_me)
            self.user_id = str(body["data"]["id"])
            self.handle = self.handle or body["data"].get("username")
        return self.user_id

    def _tweet_url(self, tweet_id: str) -> str:
        return f"https://x.com/{self.handle or 'i/web'}/status/{tweet_id}"

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = method(*args, user_auth=self._user_auth, **kwargs)
        except Exception as exc:
            translated = translate_error(exc)
            if translated is exc:
                raise
            raise translated from exc
        return result


def _dm_url(conversation_id: Any) -> str | None:
    return f"https://x.com/messages/{conversation_id}" if conversation_id else None


def translate_error(exc: Exception) -> Exception:
    """tweepy's and requests' exceptions as the product's: transient, credentials, or final."""
    import tweepy

    if isinstance(exc, tweepy.TooManyRequests):
        reset = exc.response.headers.get("x-rate-limit-reset") if exc.response is not None else None
        return SourceRateLimited("x: rate limited", source="x", reset_at=epoch_to_utc(reset))
    if isinstance(exc, tweepy.TwitterServerError):
        return SourceUnavailable(f"x: {_words(exc)}", source="x")
    if isinstance(exc, tweepy.Unauthorized):
        return SourceAuthError(f"x: credentials refused ({_words(exc)})", source="x")
    if isinstance(exc, tweepy.HTTPException):
        return SendRejected(_words(exc), source="x")
    if isinstance(exc, requests.RequestException):
        return SourceUnavailable(f"x: {type(exc).__name__}: {exc}", source="x")
    return exc


def _words(exc: Any) -> str:
    """The platform's own explanation: its error messages, else the HTTP status line."""
    messages = [str(m) for m in getattr(exc, "api_messages", []) if m]
    if messages:
        return "; ".join(messages)
    response = getattr(exc, "response", None)
    if response is not None:
        return f"{response.status_code} {response.reason}"
    return str(exc)
