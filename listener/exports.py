"""Exports from other tools, read into the same rows as the import format.

* ``x-archive``: the ``data/tweets.js`` (or ``tweet.js``) of an X/Twitter account archive:
  ``window.YTD.tweets.part0 = [{"tweet": {...}}, ...]``. The archive does not repeat who
  wrote the posts; the owner is read from ``account.js`` beside it when present.
* ``reddit-json``: what Reddit serves at any ``….json`` URL (a ``Listing``, or a thread's
  list of two listings), with comment trees flattened; ``[removed]``/``[deleted]`` bodies
  become deletion rows.

Each yields ``(entry number, row dict | reason)`` like the CSV/JSONL readers, so one bad
entry is reported and the rest still import. An export is one JSON document, read whole: a
file over :data:`MAX_EXPORT_BYTES`, or one that is not JSON of the expected shape, is refused
as a whole. Bytes that are not UTF-8 are kept as such (``surrogateescape``), so the row that
holds them is refused by the record's checks, by its entry number.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from core.errors import InputError

Entry = tuple[int, dict[str, Any] | str]
_REMOVED = {"[removed]", "[deleted]"}

#: The largest export read (it is parsed whole, in memory).
MAX_EXPORT_BYTES = 256 * 1024 * 1024


def _js_payload(path: Path) -> Any:
    size = path.stat().st_size
    if size > MAX_EXPORT_BYTES:
        raise InputError(
            f"{size:,} bytes; an export is read whole, at most "
            f"{MAX_EXPORT_BYTES:,} bytes (split it, or convert it to JSONL)"
        )
    text = path.read_bytes().decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    if text.lstrip().startswith("window.YTD."):
        text = text.split("=", 1)[1]
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", line=exc.lineno) from None
    except RecursionError:
        raise InputError("not valid JSON (nested too deeply)") from None
    except ValueError:  # an integer of more digits than Python converts
        raise InputError("not valid JSON (a number too long to read)") from None


def sniff(path: Path) -> str | None:
    """``x-archive`` or ``reddit-json`` from the first bytes of ``path``, else None."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        head = handle.read(4096).lstrip()
    if head.startswith("window.YTD."):
        return "x-archive"
    if head.startswith(("{", "[")) and '"kind"' in head and ('"Listing"' in head or '"t3"' in head):
        return "reddit-json"
    return None


def x_archive_rows(path: Path) -> Iterator[Entry]:
    """Rows from an X archive's tweets file."""
    data = _js_payload(path)
    if not isinstance(data, list):
        raise InputError("expected a list of tweets")
    owner = _archive_owner(path)
    for number, entry in enumerate(data, start=1):
        tweet = entry.get("tweet", entry) if isinstance(entry, dict) else None
        if not isinstance(tweet, dict):
            yield number, "expected an object with a 'tweet'"
            continue
        tid = tweet.get("id_str") or tweet.get("id")
        row: dict[str, Any] = {
            "source": "x",
            "id": tid,
            "author": owner.get("username", "archive-owner"),
            "author_id": owner.get("accountId"),
            "author_name": owner.get("accountDisplayName"),
            "text": tweet.get("full_text", tweet.get("text")),
            "created_at": _twitter_time(tweet.get("created_at")),
            "lang": tweet.get("lang") if tweet.get("lang") not in (None, "und") else None,
            "in_reply_to": tweet.get("in_reply_to_status_id_str"),
        }
        if tid and owner.get("username"):
            row["url"] = f"https://x.com/{owner['username']}/status/{tid}"
        yield number, row


def _archive_owner(path: Path) -> dict[str, Any]:
    account = path.with_name("account.js")
    if not account.is_file():
        return {}
    try:
        data = _js_payload(account)
        return dict(data[0]["account"])
    except (InputError, LookupError, TypeError, ValueError):
        return {}


def _twitter_time(value: Any) -> str | None:
    if not value:
        return None
    try:  # "Wed Oct 10 20:19:24 +0000 2018"
        parsed = datetime.strptime(str(value), "%a %b %d %H:%M:%S %z %Y")
    except ValueError:
        try:
            parsed = parsedate_to_datetime(str(value))
        except (TypeError, ValueError):
            return str(value)  # let the row check report it
    return parsed.astimezone(UTC).isoformat()


def reddit_json_rows(path: Path) -> Iterator[Entry]:
    """Rows from a saved Reddit listing or thread (comments flattened, depth first)."""
    data = _js_payload(path)
    things: list[Any] = []
    for listing in data if isinstance(data, list) else [data]:
        things.extend(_children(listing, strict=True))
    for number, thing in enumerate(_flatten(things), start=1):
        if not isinstance(thing, dict) or not isinstance(thing.get("data"), dict):
            yield number, "expected a Reddit thing with 'kind' and 'data'"
            continue
        kind, d = thing.get("kind"), thing["data"]
        if kind not in ("t1", "t3"):
            yield number, f"not a post or comment (kind {kind!r})"
            continue
        body = d.get("body") if kind == "t1" else _join(d.get("title"), d.get("selftext"))
        created = d.get("created_utc")
        if isinstance(created, int | float) and not isinstance(created, bool):
            try:
                created = datetime.fromtimestamp(float(created), UTC).isoformat()
            except (OverflowError, OSError, ValueError):
                yield number, f"created_utc: {created!r} is out of range"
                continue
        yield (
            number,
            {
                "source": "reddit",
                "id": d.get("name") or (f"{kind}_{d['id']}" if d.get("id") else None),
                "author": d.get("author"),
                "author_id": d.get("author_fullname"),
                "text": body,
                "created_at": created,
                "url": f"https://www.reddit.com{d['permalink']}" if d.get("permalink") else None,
                "in_reply_to": d.get("parent_id") if kind == "t1" else None,
                "thread_id": d.get("link_id") if kind == "t1" else d.get("name"),
                "deleted": str(d.get("body", d.get("selftext", ""))).strip() in _REMOVED,
                "subreddit": d.get("subreddit"),
            },
        )


def _children(listing: Any, *, strict: bool = False) -> list[Any]:
    """The things of a ``Listing``; a malformed one is an error at the top (``strict``) and
    has no children among a comment's replies."""
    if isinstance(listing, dict) and listing.get("kind") == "Listing":
        data = listing.get("data")
        children = data.get("children") if isinstance(data, dict) else None
        if isinstance(children, list):
            return children
        if strict:
            raise InputError("not a Reddit listing: its 'data' holds no list of 'children'")
        return []
    return [listing]


def _flatten(things: list[Any]) -> Iterator[Any]:
    """Things and their replies, depth first, without recursion (nesting is untrusted)."""
    stack = list(reversed(things))
    while stack:
        thing = stack.pop()
        if isinstance(thing, dict) and thing.get("kind") == "more":
            continue
        yield thing
        data = thing.get("data") if isinstance(thing, dict) else None
        replies = data.get("replies") if isinstance(data, dict) else None
        if isinstance(replies, dict):
            stack.extend(reversed(_children(replies)))


def _join(title: Any, body: Any) -> str | None:
    parts = [str(p) for p in (title, body) if p and str(p).strip() not in _REMOVED]
    return "\n\n".join(parts) if parts or title is not None else None
