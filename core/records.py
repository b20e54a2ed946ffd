"""Normalized records that every source yields: one shape, whatever the platform.

These are plain pydantic models (validated), not database tables: the store writer turns
them into rows. Keeping them here lets collectors, the file importer and the tests share
one definition without importing any database code.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.clock import as_utc

#: Sources the product knows. ``file`` is for rows whose platform is unknown.
KNOWN_SOURCES: frozenset[str] = frozenset({"x", "reddit", "bluesky", "mastodon", "file"})

#: Texts longer than this are cut (with a marker) before they are stored.
MAX_TEXT_CHARS = 20_000

#: The oldest post or account any platform can hold (Reddit opened in June 2005).
EARLIEST_TIME = datetime(2005, 1, 1, tzinfo=UTC)

#: How far past now a post's time may lie (clocks differ; a day covers any time zone slip).
FUTURE_SLACK = timedelta(days=1)


def string_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text on every database, or None.

    PostgreSQL refuses a NUL character in text, and no database can encode a lone surrogate
    (what undecodable bytes or a broken ``\\ud83d`` escape turn into) as UTF-8.
    """
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        char = value[exc.start]
        if "\udc80" <= char <= "\udcff":
            return "not valid UTF-8"
        return f"contains a lone surrogate ({char.encode('unicode_escape').decode()})"
    return None


def time_problem(value: datetime, *, now: datetime) -> str | None:
    """Why ``value`` cannot be a post's or an account's time, or None.

    No platform holds anything older than :data:`EARLIEST_TIME`, and nothing is dated more
    than :data:`FUTURE_SLACK` past ``now``; such a time is a broken row, not a post.
    """
    if value < EARLIEST_TIME:
        return f"{value.isoformat()} is before {EARLIEST_TIME.date()}, older than any platform"
    if value > now + FUTURE_SLACK:
        return f"{value.isoformat()} is more than a day in the future"
    return None


def _storable(value: str | None) -> str | None:
    if value is not None:
        problem = string_problem(value)
        if problem:
            raise ValueError(problem)
    return value


def _aware_utc(value: datetime) -> datetime:
    try:
        return as_utc(value)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+05:00 is before year 1 in UTC
        raise ValueError(f"{value.isoformat()} is out of range") from None


class AuthorRecord(BaseModel):
    """A person or account as a platform describes them."""

    model_config = ConfigDict(frozen=True)

    platform: str
    platform_id: str = Field(min_length=1)
    handle: str = Field(min_length=1)
    display_name: str | None = None
    followers: int | None = Field(default=None, ge=0)
    following: int | None = Field(default=None, ge=0)
    account_created: datetime | None = None
    is_brand: bool = False

    @field_validator("platform_id", "handle", mode="before")
    @classmethod
    def _to_str(cls, value: Any) -> Any:
        return str(value).strip() if value is not None else value

    @field_validator("platform", "platform_id", "handle", "display_name")
    @classmethod
    def _storable_text(cls, value: str | None) -> str | None:
        return _storable(value)

    @field_validator("account_created")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return _aware_utc(value) if value is not None else None


#: The platform id of an author the platform did not name: the post is stored with no author
#: (scored, never merged with another's, opening no case).
NO_AUTHOR_ID = "[no author]"


def no_author(platform: str) -> AuthorRecord:
    """The author of a post whose platform did not say who wrote it."""
    return AuthorRecord(platform=platform, platform_id=NO_AUTHOR_ID, handle=NO_AUTHOR_ID)


class MentionRecord(BaseModel):
    """One public post that mentions the brand, normalized across platforms."""

    model_config = ConfigDict(frozen=True)

    source: str
    external_id: str = Field(min_length=1)
    author: AuthorRecord
    text: str
    created_at: datetime
    lang: str | None = None
    #: How sure the language detector was of ``lang`` (0 to 1); None for a platform's own tag.
    lang_confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    url: str | None = None
    in_reply_to: str | None = None
    thread_id: str | None = None
    deleted: bool = False
    raw: dict[str, Any] | None = None

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in KNOWN_SOURCES:
            raise ValueError(f"unknown source {value!r}; expected one of {sorted(KNOWN_SOURCES)}")
        return value

    @field_validator("external_id", "in_reply_to", "thread_id", mode="before")
    @classmethod
    def _id_to_str(cls, value: Any) -> Any:
        # Mastodon and others send ids as int in some places and str in others.
        return str(value).strip() if value is not None and value != "" else None

    @field_validator("external_id", "lang", "url", "in_reply_to", "thread_id")
    @classmethod
    def _storable_text(cls, value: str | None) -> str | None:
        return _storable(value)

    @field_validator("text")
    @classmethod
    def _bounded_text(cls, value: str) -> str:
        value = _storable(value.replace("\x00", "")) or ""  # a NUL in a post's text is dropped
        if len(value) > MAX_TEXT_CHARS:
            return value[:MAX_TEXT_CHARS] + " [truncated]"
        return value

    @field_validator("created_at")
    @classmethod
    def _created_utc(cls, value: datetime) -> datetime:
        return _aware_utc(value)
