"""One sender per platform, each with the platform's own client library.

``x``, ``reddit``, ``mastodon`` and ``bluesky`` each hold a class that follows
:class:`outbound.base.Sender`. Their constructors take plain values (tokens, base URLs, the
brand's account) so the shell builds them from settings and tests point them at loopback
fakes. This module holds the few helpers they share: comparing what was sent with what a
platform shows back (reconciliation), and dating a rate-limit reset.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

from core.clock import as_utc

_URL = re.compile(r"https?://\S+")
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")

#: How long a sender waits for one platform call, in seconds.
TIMEOUT_S = 30.0


def comparable(text: str) -> str:
    """``text`` as platforms echo it back: entities decoded, links and spacing folded.

    X wraps links in t.co and escapes ``&<>``; Mastodon returns HTML; all of them may trim or
    fold whitespace. Two texts that compare equal here are the same reply.
    """
    text = html.unescape(text)
    text = _URL.sub("<link>", text)
    return _SPACE.sub(" ", text).strip()


def same_text(sent: str, shown: str) -> bool:
    """True when ``shown`` (what the platform lists) is the reply ``sent``."""
    return comparable(sent) == comparable(shown)


def html_text(content: str) -> str:
    """The plain text of a Mastodon status's HTML ``content`` (for :func:`same_text`)."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", content)))


def epoch_to_utc(value: Any) -> datetime | None:
    """A reset time sent as Unix seconds (int or numeric string) as an aware datetime."""
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def parse_time(value: Any) -> datetime | None:
    """An ISO-8601 time (``Z`` or offset) or a datetime from a platform, as aware UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    try:
        return as_utc(datetime.fromisoformat(str(value).replace("Z", "+00:00")))
    except ValueError:
        return None
