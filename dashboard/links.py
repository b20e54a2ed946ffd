"""Links the board offers to posts on the platforms: only plain ``http(s)`` addresses.

A post's URL comes from the platform (or from an imported file), so it is checked before it
becomes a link button: a ``javascript:`` or ``data:`` address, one without a host, or one with
spaces or control characters is not offered at all.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_URL_CHARS = 2_048


def safe_url(url: str | None) -> str | None:
    """``url`` when it is a plain ``http``/``https`` address with a host; None otherwise."""
    if not url or len(url) > MAX_URL_CHARS:
        return None
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not host:
        return None
    return url
