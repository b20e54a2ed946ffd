"""Normalized records that every source yields: one shape, whatever the platform.

These are plain pydantic models (validated), not database tables: the store writer turns
them into rows. Keeping them here lets collectors, the file importer and the tests share
one definition without importing any database code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.clock import as_utc

#: Sources the product knows. ``file`` is for rows whose platform is unknown.
KNOWN_SOURCES: frozenset[str] = frozenset({"x", "reddit", "bluesky", "mastodon", "file"})

#: Texts longer than this are cut (with a marker) before they are stored.
MAX_TEXT_CHARS = 20_000


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

    @field_validator("account_created")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return as_utc(value) if value is not None else None


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

    @field_validator("text")
    @classmethod
    def _bounded_text(cls, value: str) -> str:
        value = value.replace("\x00", "")
        if len(value) > MAX_TEXT_CHARS:
            return value[:MAX_TEXT_CHARS] + " [truncated]"
        return value

    @field_validator("created_at")
    @classmethod
    def _created_utc(cls, value: datetime) -> datetime:
        return as_utc(value)
