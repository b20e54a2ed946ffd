"""An in-memory platform and its sender, with scripted failures, for the sender worker's tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from core.errors import SourceRateLimited, SourceUnavailable
from outbound.base import OutgoingReply, SendRejected, SentReceipt


class Crash(BaseException):
    """The worker's process dies here (nothing below it runs, like kill -9)."""


@dataclass
class Post:
    """One post the fake platform holds."""

    platform_id: str
    in_reply_to: str | None
    text: str
    key: str
    at: datetime


@dataclass
class FakeSender:
    """Holds what was posted; ``script`` says what each ``send`` call does, in turn:

    ``ok``, ``429`` (raises with ``reset_at``), ``503`` (nothing posted), ``posted_503`` (posted,
    then a 5xx), ``crash_after_post`` (posted, then the process dies), ``crash_before``,
    ``rejected``. After the script, every call is ``ok``.
    """

    platform: str
    now: Callable[[], datetime]
    script: list[str] = field(default_factory=list)
    reset_at: datetime | None = None
    posts: list[Post] = field(default_factory=list)
    calls: int = 0
    lookups: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, reply: OutgoingReply) -> SentReceipt:
        with self._lock:
            self.calls += 1
            what = self.script.pop(0) if self.script else "ok"
        if what == "429":
            raise SourceRateLimited(
                "too many requests", source=self.platform, reset_at=self.reset_at
            )
        if what == "503":
            raise SourceUnavailable("503 service unavailable", source=self.platform)
        if what == "rejected":
            raise SendRejected("the post you are replying to was deleted", source=self.platform)
        if what == "crash_before":
            raise Crash
        receipt = self._post(reply)
        if what == "posted_503":
            raise SourceUnavailable("504 gateway timeout", source=self.platform)
        if what == "crash_after_post":
            raise Crash
        return receipt

    def find_sent(self, reply: OutgoingReply, *, since: datetime) -> SentReceipt | None:
        self.lookups += 1
        for post in self.posts:
            if (
                post.in_reply_to == reply.in_reply_to
                and post.text == reply.text
                and post.at >= since
            ):
                return SentReceipt(
                    post.platform_id, f"https://{self.platform}.test/{post.platform_id}"
                )
        return None

    def _post(self, reply: OutgoingReply) -> SentReceipt:
        with self._lock:
            pid = f"{self.platform}-{len(self.posts) + 1}"
            self.posts.append(
                Post(pid, reply.in_reply_to, reply.text, reply.idempotency_key, self.now())
            )
        return SentReceipt(pid, f"https://{self.platform}.test/{pid}")
