"""Does a post mention the brand, and did the brand write it? From the settings.

Text is hostile: zero-width characters are removed and the text is NFKC-normalized and
case-folded before matching, so ``Bright\u200bloop`` or a full-width ``ＢＲＩＧＨＴＬＯＯＰ``
still count, and a keyword only matches as a whole word (``brightloopy`` does not).

Who the brand is, is stricter (:class:`BrandIdentity`): an author is the brand only when its
platform *and* its handle (or its platform id) are one of ``brand.accounts``, compared exactly
but for ASCII case. A same-named account on another platform, another Mastodon instance, or a
handle dressed up with invisible characters is somebody else.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.config import ACCOUNT_ID_PREFIX, BrandAccounts
from core.records import AuthorRecord, MentionRecord

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"), None)


def normalize_text(text: str) -> str:
    """The form of ``text`` that matching looks at."""
    return unicodedata.normalize("NFKC", text.translate(_INVISIBLE)).casefold()


def _key(value: str) -> str:
    """An account name as compared: lower case when ASCII (as the platforms' names are), else
    exactly as written, so no Unicode folding turns a look-alike into the brand."""
    value = value.strip()
    value = value[1:] if value.startswith("@") else value
    return value.lower() if value.isascii() else value


@dataclass(frozen=True)
class BrandIdentity:
    """The brand's own accounts: ``(platform, handle)`` and ``(platform, id)`` pairs.

    ``mastodon_instance`` is the host the listener reads: there a local account's handle is a
    bare ``user``, which matches a configured ``user@that-host``.
    """

    handles: frozenset[tuple[str, str]] = frozenset()
    ids: frozenset[tuple[str, str]] = frozenset()
    mastodon_instance: str | None = None

    @classmethod
    def from_settings(
        cls, accounts: BrandAccounts, *, mastodon_base_url: str | None = None
    ) -> BrandIdentity:
        """The identity ``brand.accounts`` describes; ``mastodon_base_url`` is the instance read."""
        handles: set[tuple[str, str]] = set()
        ids: set[tuple[str, str]] = set()
        for platform in BrandAccounts.model_fields:
            for entry in getattr(accounts, platform):
                key = _key(entry)
                if key.startswith(ACCOUNT_ID_PREFIX):
                    ids.add((platform, key[len(ACCOUNT_ID_PREFIX) :]))
                elif platform == "bluesky" and key.startswith("did:"):
                    ids.add((platform, key))
                else:
                    handles.add((platform, key))
        host = urlsplit(mastodon_base_url).hostname if mastodon_base_url else None
        return cls(frozenset(handles), frozenset(ids), _key(host) if host else None)

    def is_brand(self, author: AuthorRecord) -> bool:
        """True when ``author`` is one of the brand's accounts on its own platform."""
        platform = author.platform.lower()
        if (platform, _key(author.platform_id)) in self.ids:
            return True
        handle = _key(author.handle)
        if (platform, handle) in self.handles:
            return True
        local = platform == "mastodon" and "@" not in handle and self.mastodon_instance
        return bool(local) and ("mastodon", f"{handle}@{self.mastodon_instance}") in self.handles

    def mention_names(self) -> set[str]:
        """The names people write after ``@`` to address the accounts (ids are never written)."""
        names = set()
        for platform, handle in self.handles:
            names.add(handle)
            if platform == "mastodon":
                names.add(handle.split("@", 1)[0])
        return names


#: Nobody is the brand.
NO_BRAND = BrandIdentity()


class Matcher:
    """Matches keywords (whole words or phrases), ``@handle`` mentions and the brand's posts."""

    def __init__(self, keywords: Iterable[str], brand: BrandIdentity = NO_BRAND) -> None:
        self.brand = brand
        terms = {normalize_text(k.strip()) for k in keywords if k.strip()}
        terms |= {"@" + normalize_text(name) for name in brand.mention_names()}
        # Longest first so a phrase wins over a word it contains; edges are "not a word char".
        alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<![\w@#])(?:{alternatives})(?!\w)") if terms else None

    def matches_text(self, text: str) -> bool:
        """True when ``text`` names the brand."""
        return self._pattern is not None and self._pattern.search(normalize_text(text)) is not None

    def matches(self, record: MentionRecord) -> bool:
        """True when the post names the brand or the brand wrote it."""
        return self.brand.is_brand(record.author) or self.matches_text(record.text)

    def is_brand(self, author: AuthorRecord) -> bool:
        """True for the brand's own accounts (see :class:`BrandIdentity`)."""
        return self.brand.is_brand(author)
