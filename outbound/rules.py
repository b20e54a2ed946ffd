"""The rules a reply must pass before it is approved: pure checks, no I/O.

Each rule refuses with a reason staff can act on ("X counts this reply as 297 of 280 characters:
17 too long"); a reply is never cut or rewritten to make it fit. Lengths are counted the way each
platform counts them (X's weighted count, Bluesky's graphemes, Mastodon's graphemes with URLs at
23), on the text as it will be posted: :func:`prepare_text` adds the author's handle where the
platform needs it (Mastodon). :func:`inert_name` and :func:`inert_quote` make a critic's name
and quoted words safe to put into a reply: no mentions of third parties, no links, no Markdown.
"""

from __future__ import annotations

import re
import sys
import threading
import types
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import regex

from core.errors import InputError
from core.names import clean_name, strip_invisible

__all__ = [
    "PLATFORMS",
    "ReplyRefused",
    "RuleProblem",
    "check_reply",
    "count_reply",
    "ensure_sendable",
    "find_placeholders",
    "inert_name",
    "inert_quote",
    "prepare_text",
    "reply_limit",
]

PLATFORMS: tuple[str, ...] = ("x", "reddit", "mastodon", "bluesky")
"""The platforms a reply can be sent to, as mentions name them."""

X_LIMIT = 280
X_MESSAGE_LIMIT = 10_000
BLUESKY_LIMIT = 300
BLUESKY_BYTES = 3_000
BLUESKY_MESSAGE_LIMIT = 1_000
BLUESKY_MESSAGE_BYTES = 10_000
MASTODON_DEFAULT_LIMIT = 500
MASTODON_URL_CHARS = 23
REDDIT_LIMIT = 10_000

_PLATFORM_NAMES = {"x": "X", "reddit": "Reddit", "mastodon": "Mastodon", "bluesky": "Bluesky"}
_PRIVATE_KIND = {
    "x": "direct message",
    "reddit": "message",
    "mastodon": "direct post",
    "bluesky": "chat message",
}


@dataclass(frozen=True)
class RuleProblem:
    """One reason a reply cannot go as it is: a stable ``code`` and a sentence for staff."""

    code: str
    message: str


class ReplyRefused(InputError):
    """A reply broke one or more rules; ``problems`` lists them all."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        super().__init__(" ".join(p.message for p in problems))
        self.problems = problems


# --- X's counting rules ---------------------------------------------------------------------

_IMPORT_LOCK = threading.Lock()


@cache
def _twitter_text() -> types.ModuleType:
    """The ``twitter_text`` package, imported once.

    twitter-text-parser 3.0.0 reads its emoji list with ``pkg_resources.resource_string``, which
    recent setuptools no longer ships (and older ones warn about on import). While the package
    imports, a stand-in that reads the file beside the module is offered in its place, then
    withdrawn; a real ``pkg_resources`` already imported is left as it is.
    """
    with _IMPORT_LOCK:
        if "twitter_text" in sys.modules:
            return sys.modules["twitter_text"]
        if "pkg_resources" in sys.modules:
            import twitter_text

            return twitter_text
        stand_in = types.ModuleType("pkg_resources")

        def resource_string(module: str, name: str) -> bytes:
            module_file = sys.modules[module].__file__
            assert module_file is not None
            return (Path(module_file).parent / name).read_bytes()

        stand_in.resource_string = resource_string  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = stand_in
        try:
            import twitter_text
        finally:
            sys.modules.pop("pkg_resources", None)
        return twitter_text


def _parse_tweet(text: str) -> Any:
    return _twitter_text().parse_tweet(text)


def _urls(text: str, *, bare_domains: bool) -> list[tuple[int, int, str]]:
    """URLs as twitter-text finds them: ``(start, end, url)``; bare domains only if asked."""
    found = _twitter_text().extract_urls_with_indices(text, bare_domains)
    return [(u["indices"][0], u["indices"][1], u["url"]) for u in found]


# --- counting -------------------------------------------------------------------------------

_GRAPHEME = regex.compile(r"\X")
# A Mastodon mention as Mastodon reads it; only ``@user`` of ``@user@instance`` is counted.
_MASTODON_MENTION = re.compile(
    r"(?<![=/\w])@([a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?)@[\w.-]*\w", re.IGNORECASE
)


def _graphemes(text: str) -> int:
    return sum(1 for _ in _GRAPHEME.finditer(text))


def _mastodon_countable(text: str) -> str:
    """The text as Mastodon counts it: each URL as 23 characters, a remote mention as ``@user``."""
    pieces: list[str] = []
    at = 0
    for start, end, _url in _urls(text, bare_domains=False):
        pieces.append(text[at:start])
        pieces.append("x" * MASTODON_URL_CHARS)
        at = end
    pieces.append(text[at:])
    return _MASTODON_MENTION.sub(lambda m: "@" + m.group(1), "".join(pieces))


def count_reply(platform: str, text: str, *, private: bool = False) -> int:
    """How long ``text`` is by the platform's own count (what its limit is measured in)."""
    _known(platform)
    if platform == "x":
        return len(text) if private else int(_parse_tweet(text).weightedLength)
    if platform == "bluesky":
        return _graphemes(text)
    if platform == "mastodon":
        return _graphemes(_mastodon_countable(text))
    return len(text)


def reply_limit(platform: str, *, private: bool = False, limit: int | None = None) -> int:
    """The most the platform takes: ``limit`` when given (a Mastodon instance's own), else the
    platform's default for a public reply or a private message."""
    _known(platform)
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"a reply limit must be a positive whole number, not {limit!r}")
        return limit
    if platform == "x":
        return X_MESSAGE_LIMIT if private else X_LIMIT
    if platform == "bluesky":
        return BLUESKY_MESSAGE_LIMIT if private else BLUESKY_LIMIT
    if platform == "mastodon":
        return MASTODON_DEFAULT_LIMIT
    return REDDIT_LIMIT


def _known(platform: str) -> None:
    if platform not in PLATFORMS:
        raise InputError(_unknown_platform(platform))


def _unknown_platform(platform: str) -> str:
    return f"Replies cannot be sent to {platform!r}; the platforms are {', '.join(PLATFORMS)}."


# --- the handle -----------------------------------------------------------------------------

_MASTODON_ACCT = re.compile(r"@?([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?(?:@[\w.-]*\w)?)")
_ANY_MENTION = re.compile(
    r"(?<![=/\w@])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?(?:@[\w.-]*\w)?)"
)


def _mastodon_acct(handle: str) -> str | None:
    """``user`` or ``user@instance`` without the leading ``@``; None if it is not one."""
    match = _MASTODON_ACCT.fullmatch(handle.strip())
    return match.group(1) if match else None


def _mentions(text: str) -> set[str]:
    return {m.group(1).casefold() for m in _ANY_MENTION.finditer(text)}


def prepare_text(platform: str, text: str, *, recipient_handle: str | None, private: bool) -> str:
    """The text as it will be posted: the author's handle added where the platform needs it.

    Mastodon delivers a post, public or direct, only to the accounts it mentions, so the
    author's ``@user@instance`` goes at the start unless the text already mentions them. X
    replies through the API, and Reddit and Bluesky replies, reach the author without it.
    Nothing is ever removed. A Mastodon handle that is not ``user[@instance]`` is an
    :class:`InputError`.
    """
    _known(platform)
    if platform != "mastodon" or not recipient_handle:
        return text
    acct = _mastodon_acct(recipient_handle)
    if acct is None:
        raise InputError(_bad_handle(recipient_handle))
    if acct.casefold() in _mentions(text):
        return text
    return f"@{acct} {text.lstrip()}"


def _bad_handle(handle: str) -> str:
    return (
        f"The author's handle {handle!r} is not a Mastodon account (user or user@instance), "
        "so the reply cannot mention them."
    )


# --- placeholders ---------------------------------------------------------------------------

_PLACEHOLDER_WORDS = frozenset(
    {
        "name", "first name", "last name", "full name", "customer", "customer name", "user",
        "username", "user name", "handle", "email", "email address", "account",
        "account number", "date", "time", "topic", "brand", "amount", "link", "url", "fact",
        "agent", "agent name", "company", "product", "city", "area", "phone", "phone number",
        "order number", "ticket", "ticket number", "reason", "details", "signature",
    }
)  # fmt: skip
_PLACEHOLDER_LEADS = ("insert ", "add ", "enter ", "your ", "fill ", "put ", "placeholder")
_TEMPLATE_SYNTAX = re.compile(
    r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}"  # Jinja
    r"|\$\{\s*\w+\s*\}"  # ${name}
    r"|%\(\w+\)[sd]"  # %(name)s
    r"|(?<!\{)\{\s*[A-Za-z_]\w*\s*\}(?!\})"  # {name}
    r"|_{3,}"  # ___
    r"|\b(?:TODO|FIXME|TBD|TKTK|XXX+)\b"
    r"|(?i:\blorem ipsum\b)",
    re.DOTALL,
)
_BRACKETED = re.compile(r"\[([^\[\]\n]{1,40})\](?!\()|<([^<>\n]{1,40})>")


def _looks_like_placeholder(inner: str) -> bool:
    words = inner.strip()
    if not words or not re.fullmatch(r"[A-Za-z][A-Za-z0-9 _'-]*", words):
        return False
    folded = " ".join(words.replace("_", " ").split()).casefold()
    if folded in _PLACEHOLDER_WORDS or folded.startswith(_PLACEHOLDER_LEADS):
        return True
    letters = [c for c in words if c.isalpha()]
    return ("_" in words) or (len(letters) >= 2 and all(c.isupper() for c in letters))


def find_placeholders(text: str) -> list[str]:
    """The unfilled parts of a template left in ``text``, in order, each once."""
    found = [m.group(0) for m in _TEMPLATE_SYNTAX.finditer(text)]
    for m in _BRACKETED.finditer(text):
        if _looks_like_placeholder(m.group(1) or m.group(2)):
            found.append(m.group(0))
    found.sort(key=text.find)
    return list(dict.fromkeys(found))


# --- the checks -----------------------------------------------------------------------------


def _normalised(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", strip_invisible(text)).split())


def _length_problem(
    platform: str, text: str, *, private: bool, limit: int | None
) -> RuleProblem | None:
    count = count_reply(platform, text, private=private)
    most = reply_limit(platform, private=private, limit=limit)
    if count <= most:
        return None
    what = _PRIVATE_KIND[platform] if private else "reply"
    unit = "characters (graphemes)" if platform == "bluesky" else "characters"
    who = "This Mastodon instance" if platform == "mastodon" else _PLATFORM_NAMES[platform]
    return RuleProblem(
        "too_long",
        f"{who} counts this {what} as {count:,} of {most:,} {unit}: {count - most:,} too long.",
    )


def _bluesky_bytes(text: str, *, private: bool) -> RuleProblem | None:
    size = len(text.encode("utf-8"))
    most = BLUESKY_MESSAGE_BYTES if private else BLUESKY_BYTES
    if size <= most:
        return None
    return RuleProblem(
        "too_many_bytes",
        f"Bluesky takes at most {most:,} bytes of text; this one is {size:,} bytes: "
        f"{size - most:,} too many.",
    )


def _x_characters(text: str) -> RuleProblem | None:
    bad = sorted({c for c in text if c in "\ufffe\ufeff\uffff"})
    if not bad:
        return None
    names = ", ".join(f"U+{ord(c):04X}" for c in bad)
    return RuleProblem("invalid_characters", f"X refuses text with {names}; remove it.")


def check_reply(
    platform: str,
    text: str,
    *,
    template_text: str | None = None,
    limit: int | None = None,
    recipient_handle: str | None = None,
    private: bool = False,
) -> list[RuleProblem]:
    """Every reason ``text`` cannot be approved as it is; an empty list when it can.

    ``template_text`` is the playbook's rendered suggestion, passed only when that template asks
    for a personal edit: the text may not be the suggestion word for word. ``limit`` is the
    platform's limit when it is not the default (a Mastodon instance's own). The length is
    checked on :func:`prepare_text`'s result, so an added handle counts.
    """
    if platform not in PLATFORMS:
        return [
            RuleProblem(
                "unknown_platform",
                _unknown_platform(platform),
            )
        ]
    if not _normalised(text):
        return [RuleProblem("empty", "The reply is empty: write something to send.")]
    problems: list[RuleProblem] = []
    holes = find_placeholders(text)
    if holes:
        shown = ", ".join(holes[:3]) + (f" and {len(holes) - 3} more" if len(holes) > 3 else "")
        problems.append(
            RuleProblem(
                "placeholder",
                f"The reply still has unfilled parts of its template: {shown}. "
                "Fill them in or take them out.",
            )
        )
    if template_text is not None and _normalised(text) == _normalised(template_text):
        problems.append(
            RuleProblem(
                "untouched_template",
                "The reply is the playbook's suggestion word for word, and this template asks "
                "for a personal touch: edit it before it goes.",
            )
        )
    prepared = text
    if platform == "mastodon":
        if recipient_handle and _mastodon_acct(recipient_handle) is None:
            problems.append(RuleProblem("bad_recipient", _bad_handle(recipient_handle)))
        elif recipient_handle:
            prepared = prepare_text(
                platform, text, recipient_handle=recipient_handle, private=private
            )
        elif not _mentions(text):
            problems.append(
                RuleProblem(
                    "no_recipient",
                    "Mastodon delivers a post only to the accounts it mentions, and the author's "
                    "handle is unknown: add their @user@instance to the reply.",
                )
            )
    checks: list[Callable[[], RuleProblem | None]] = [
        lambda: _length_problem(platform, prepared, private=private, limit=limit)
    ]
    if platform == "bluesky":
        checks.append(lambda: _bluesky_bytes(prepared, private=private))
    if platform == "x" and not private:
        checks.append(lambda: _x_characters(prepared))
    problems.extend(p for p in (check() for check in checks) if p is not None)
    return problems


def ensure_sendable(
    platform: str,
    text: str,
    *,
    template_text: str | None = None,
    limit: int | None = None,
    recipient_handle: str | None = None,
    private: bool = False,
) -> str:
    """The text as it will be posted, or :class:`ReplyRefused` (an ``InputError``) naming every
    problem :func:`check_reply` finds."""
    problems = check_reply(
        platform,
        text,
        template_text=template_text,
        limit=limit,
        recipient_handle=recipient_handle,
        private=private,
    )
    if problems:
        raise ReplyRefused(problems)
    return prepare_text(platform, text, recipient_handle=recipient_handle, private=private)


# --- inert names and quotes -----------------------------------------------------------------

_AT_SIGNS = re.compile("[@\uff20\ufe6b]")  # @, the full-width ＠ X reads as a mention, small ﹫
_AT_BEFORE_TEXT = re.compile("[@\uff20\ufe6b](?=\\S)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_REDDIT_MARKDOWN = frozenset("\\`*_~[]()>#|^&<{}!")
_REDDIT_LINKS = re.compile(r"(?i)(?<![\w\\])([ur])/")
_REDDIT_BLOCK_START = re.compile(r"^(\d+)\.|^([-+=])")
_LINK_REMOVED = "(link removed)"
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]|<\s*>|\{\s*\}")


def _squash(text: str) -> str:
    return " ".join(text.split())


def _reddit_inert(text: str) -> str:
    escaped = "".join("\\" + c if c in _REDDIT_MARKDOWN else c for c in text)
    escaped = _REDDIT_LINKS.sub(lambda m: m.group(1) + "\\/", escaped)
    return _REDDIT_BLOCK_START.sub(
        lambda m: m.group(1) + "\\." if m.group(1) else "\\" + m.group(2), escaped
    )


def _replace_urls(text: str, replace: Callable[[str], str]) -> str:
    pieces: list[str] = []
    at = 0
    for start, end, url in _urls(text, bare_domains=True):
        pieces.append(text[at:start])
        pieces.append(replace(url))
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


def _name_without_link(url: str) -> str:
    """A URL in a name goes; a bare domain keeps its first label (``alice.bsky.social``)."""
    if "://" in url or url.casefold().startswith("www."):
        return " "
    return url.split(".", 1)[0]


def inert_name(platform: str, name: str | None) -> str:
    """A critic's name fit to put into a reply on ``platform``: it mentions nobody, links
    nowhere and formats nothing. May be empty; callers fall back (``inert_name(...) or "there"``).
    """
    _known(platform)
    text = _AT_SIGNS.sub(" ", clean_name(name))
    text = _EMPTY_BRACKETS.sub(" ", _replace_urls(text, _name_without_link))
    text = _squash(text)
    if platform == "reddit":
        text = _reddit_inert(text)
    return text


def inert_quote(platform: str, text: str | None) -> str:
    """A critic's words fit to quote in a reply on ``platform``: on one line, no mentions, no
    links, and on Reddit no Markdown."""
    _known(platform)
    if not text:
        return ""
    plain = _squash(_CONTROL.sub(" ", strip_invisible(text)))
    plain = _AT_BEFORE_TEXT.sub("@ ", plain)
    plain = _squash(_replace_urls(plain, lambda _url: _LINK_REMOVED))
    if platform == "reddit":
        plain = _reddit_inert(plain)
    return plain
