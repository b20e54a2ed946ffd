"""Shared helpers for collector tests: records, stored ids, a fast loop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.backoff import Backoff
from core.config import BrandAccounts
from core.records import AuthorRecord, MentionRecord
from listener.base import Source
from listener.loop import LoopStats, StreamLoop
from listener.matching import BrandIdentity, Matcher
from store.models import Mention

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MATCHER = Matcher(
    ["brightloop", "bright loop", "#brightloop"], BrandIdentity.from_settings(BrandAccounts())
)


def make_record(
    i: int | str, text: str = "I hate brightloop", *, source: str = "mastodon"
) -> MentionRecord:
    """A mention from a test author."""
    return MentionRecord(
        source=source,
        external_id=str(i),
        author=AuthorRecord(platform=source, platform_id="u1", handle="critic"),
        text=text,
        created_at=T0,
    )


def stored(engine: Engine) -> dict[str, Mention]:
    """Stored mentions by external id."""
    with Session(engine) as s:
        return {m.external_id: m for m in s.exec(select(Mention)).scalars()}  # type: ignore[call-overload]


class Sleeps:
    """Records every wait instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def run_loop(engine: Engine, sleeps: Sleeps) -> Callable[..., LoopStats]:
    """Run a source until ``until(stats)`` holds (or a few seconds pass); return the stats."""

    def run(source: Source, until: Callable[[LoopStats], bool], **kw: object) -> LoopStats:
        import time

        deadline = time.monotonic() + float(kw.pop("timeout", 15.0))  # type: ignore[arg-type]
        loop = StreamLoop(
            source,
            engine,
            matcher=kw.pop("matcher", MATCHER),  # type: ignore[arg-type]
            flush_seconds=0.05,
            cursor_seconds=0.05,
            backoff=Backoff(base=0.01, cap=0.05),
            sleep=kw.pop("sleep", sleeps),  # type: ignore[arg-type]
            **kw,  # type: ignore[arg-type]
        )
        return loop.run(stop_when=lambda st: until(st) or time.monotonic() > deadline)

    return run
