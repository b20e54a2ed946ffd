"""Records refuse what no database stores: NUL and lone surrogates in names, times out of range."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from core.records import EARLIEST_TIME, AuthorRecord, MentionRecord, string_problem, time_problem

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _mention(**kw: object) -> MentionRecord:
    fields: dict[str, object] = {
        "source": "x",
        "external_id": "1",
        "author": AuthorRecord(platform="x", platform_id="1", handle="ann"),
        "text": "hi",
        "created_at": NOW,
    }
    return MentionRecord(**(fields | kw))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("fine ✓", None),
        ("a\x00b", "contains a NUL character"),
        ("a\udcffb", "not valid UTF-8"),
        ("a\ud83d", "contains a lone surrogate (\\ud83d)"),
    ],
)
def test_string_problem(value: str, problem: str | None) -> None:
    assert string_problem(value) == problem


def test_author__a_nul_in_a_handle_or_name_is_refused() -> None:
    with pytest.raises(ValidationError, match="contains a NUL character"):
        AuthorRecord(platform="x", platform_id="1", handle="a\x00b")
    with pytest.raises(ValidationError, match="contains a NUL character"):
        AuthorRecord(platform="x", platform_id="1", handle="a", display_name="A\x00")


def test_mention__a_nul_in_the_text_is_dropped_one_in_lang_refused() -> None:
    assert _mention(text="a\x00b").text == "ab"
    with pytest.raises(ValidationError, match="contains a NUL character"):
        _mention(lang="e\x00n")


def test_mention__a_time_before_year_one_in_utc_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="is out of range"):
        _mention(created_at=datetime.fromisoformat("0001-01-01T00:00:00+05:00"))


def test_time_problem__the_platforms_range() -> None:
    assert time_problem(EARLIEST_TIME, now=NOW) is None
    assert time_problem(NOW + timedelta(hours=23), now=NOW) is None
    assert "older than any platform" in str(time_problem(EARLIEST_TIME - timedelta(1), now=NOW))
    assert "in the future" in str(time_problem(NOW + timedelta(days=2), now=NOW))
