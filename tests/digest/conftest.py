"""A day of activity in a migrated SQLite database, and a real local SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from critic2fan.settings import Settings
from store.engine import make_engine, session_scope
from store.migrate import upgrade
from store.models import Author, Case, CaseEvent, Incident, Mention, Score, User

ZONE = ZoneInfo("Europe/Paris")
DAY = date(2024, 5, 2)
DAY_START = datetime(2024, 5, 2, 0, 0, tzinfo=ZONE).astimezone(UTC)  # 22:00 UTC on the 1st
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    eng = make_engine("sqlite:///" + str(tmp_path / "t.db"))
    upgrade(eng)
    return eng


def at(hours: float) -> datetime:
    """A moment ``hours`` after the digest day's local midnight (negative: the day before)."""
    return DAY_START + timedelta(hours=hours)


def _mention(s: Any, author: Author, i: int, text: str, when: datetime, neg: float) -> Mention:
    m = Mention(source="x", external_id=f"e{i}", author_id=author.id, text=text, created_at=when)
    s.add(m)
    s.flush()
    s.add(
        Score(
            mention_id=m.id,
            model_name="m",
            model_version="1",
            sentiment_label="negative" if neg > 0.5 else "neutral",
            p_negative=neg,
            p_neutral=1 - neg,
            p_positive=0.0,
            sentiment=-neg,
            toxicity=0.1,
            troll_likelihood=0.1,
            scored_at=when + timedelta(seconds=30),
        )
    )
    return m


@pytest.fixture
def day(engine: Engine) -> Engine:
    """Yesterday: 2 mentions; today: hostile critics, one fan, two walk-aways, a breach, a spike."""
    with session_scope(engine) as s:
        authors = [
            Author(platform="x", platform_id=str(k), handle=h, followers=f)
            for k, (h, f) in enumerate(
                [
                    (SCRIPT, 50_000),
                    (IMG, 900),
                    ("fan_to_be", 120),
                    ("quiet_one", 5),
                    ("troll_42", 10),
                ]
            )
        ]
        s.add_all(authors)
        s.flush()
        hostile, img, fan, quiet, troll = authors
        _mention(s, quiet, 1, "day before, fine", at(-5), 0.1)
        _mention(s, quiet, 2, "day before, bad", at(-3), 0.9)
        m_h = _mention(s, hostile, 3, f"worst brand ever {SCRIPT}", at(9), 0.95)
        m_i = _mention(s, img, 4, f"refund me {IMG} now", at(10.5), 0.8)
        m_f1 = _mention(s, fan, 5, "my order never came", at(-30), 0.9)
        m_f2 = _mention(s, fan, 6, "ok that fix was great, thanks!", at(14), 0.0)
        m_t = _mention(s, troll, 7, "=cmd|' /C calc'!A0 lol", at(20), 0.99)

        def case(author: Author, stage: str, opened: datetime, **kw: Any) -> Case:
            c = Case(
                author_id=author.id,
                source="x",
                stage=stage,
                opened_at=opened,
                updated_at=opened,
                **kw,
            )
            s.add(c)
            s.flush()
            s.add(
                CaseEvent(
                    case_id=c.id,
                    at=opened,
                    kind="opened",
                    actor="engine",
                    stage_to="acknowledge",
                    mention_id=kw.get("latest_mention_id"),
                )
            )
            return c

        c_h = case(
            hostile,
            "acknowledge",
            at(9),
            priority=0.9,
            latest_mention_id=m_h.id,
            state={"acknowledged_at": at(9.5).isoformat()},
        )
        case(
            img,
            "empathize",
            at(10.5),
            priority=0.7,
            latest_mention_id=m_i.id,
            state={"acknowledged_at": at(11.5).isoformat()},
        )
        c_f = case(
            fan,
            "fan",
            at(-30),
            is_open=False,
            outcome="fan",
            closed_at=at(14),
            latest_mention_id=m_f1.id,
            goodwill_spent=15.0,
        )
        c_f.latest_mention_id = m_f2.id
        for hours, frm, to in (
            (-29, "acknowledge", "empathize"),
            (-10, "empathize", "goodwill"),
            (14, "goodwill", "fan"),
        ):
            s.add(
                CaseEvent(
                    case_id=c_f.id,
                    at=at(hours),
                    kind="stage",
                    actor="engine",
                    stage_from=frm,
                    stage_to=to,
                )
            )
        case(
            troll,
            "walk_away",
            at(20),
            is_open=False,
            outcome="walk_away",
            walkaway_reason="troll",
            closed_at=at(21),
            latest_mention_id=m_t.id,
        )
        case(
            quiet,
            "walk_away",
            at(-3),
            is_open=False,
            outcome="walk_away",
            walkaway_reason="no_answer",
            closed_at=at(2),
        )
        for hours in (9, 10.5):
            s.add(
                CaseEvent(
                    case_id=c_h.id,
                    at=at(hours),
                    kind="timer",
                    actor="engine",
                    data={"timer": "sla", "due": None},
                )
            )
        s.add(
            CaseEvent(
                case_id=c_h.id,
                at=at(12),
                kind="escalated",
                actor="engine",
                reason=f"acknowledge SLA of 60 minutes breached {IMG}",
                data={"to": "lead"},
            )
        )
        s.add(
            Incident(
                kind="spike",
                started_at=at(20.5),
                ended_at=at(22),
                started_by="engine",
                reason="spike: 5x negative mentions",
            )
        )
        s.add(
            User(
                username="lena",
                display_name="Lena",
                email="lena@brand.example",
                role="lead",
                password_hash="x",
            )
        )
        s.add(
            User(
                username="old",
                display_name="Old",
                email="old@brand.example",
                role="lead",
                password_hash="x",
                active=False,
            )
        )
        s.add(
            User(
                username="ann",
                display_name="Ann",
                email="ann@brand.example",
                role="agent",
                password_hash="x",
            )
        )
    return engine


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("CRITIC2FAN_CONFIG", raising=False)
    return Settings(
        data_dir=tmp_path / "data",
        brand={"name": "Brightloop", "timezone": "Europe/Paris"},
        smtp={
            "host": "127.0.0.1",
            "port": 1,
            "security": "none",
            "sender": "digest@brand.example",
            "recipients": {"lead": ["boss@brand.example", "LENA@brand.example"]},
        },
    )


def free_port() -> int:
    """A port nobody listens on right now (aiosmtpd cannot take port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Inbox:
    """What the local SMTP server received."""

    port: int
    envelopes: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[Inbox]:
    """A real aiosmtpd server on a free loopback port."""
    from aiosmtpd.controller import Controller

    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
