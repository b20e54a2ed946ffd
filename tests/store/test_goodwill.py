"""Goodwill requests in the store: the migration, the pending list, and a decision made once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.errors import InputError
from store.engine import make_engine
from store.goodwill import add_request, decide, pending_requests
from store.migrate import alembic_config, upgrade
from store.models import Author, Case, GoodwillRequest, GoodwillRequestState

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_migration_0011__adds_and_drops_the_requests_table(db_url: str) -> None:
    from alembic import command

    engine = make_engine(db_url)
    upgrade(engine, "0010")
    assert "goodwillrequest" not in inspect(engine).get_table_names()
    upgrade(engine, "0011")
    assert "goodwillrequest" in inspect(engine).get_table_names()
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0010")
    assert "goodwillrequest" not in inspect(engine).get_table_names()
    engine.dispose()


def _pending(engine: Engine) -> int:
    with Session(engine) as s:
        author = Author(platform="x", platform_id="1", handle="zoe")
        s.add(author)
        s.flush()
        assert author.id is not None
        case = Case(author_id=author.id, topic="billing", source="x", opened_at=T0)
        s.add(case)
        s.flush()
        assert case.id is not None
        request = add_request(
            s,
            GoodwillRequest(
                case_id=case.id,
                requested_by="user:ann",
                kind="refund",
                amount=80,
                over=["per agent per day 50"],
                requested_at=T0,
            ),
        )
        s.commit()
        assert request.id is not None
        return request.id


def test_pending_requests__lists_what_waits_with_the_critic(any_engine: Engine) -> None:
    request_id = _pending(any_engine)

    with any_engine.connect() as conn:
        waiting = pending_requests(conn)

    assert [(r.id, r.author_handle, r.over, r.case_open) for r in waiting] == [
        (request_id, "zoe", ["per agent per day 50"], True)
    ]


def test_decide__a_stale_copy_cannot_decide_again(any_engine: Engine) -> None:
    request_id = _pending(any_engine)
    with Session(any_engine) as stale:
        seen = stale.get(GoodwillRequest, request_id)
        assert seen is not None and seen.state == "pending"
        with Session(any_engine) as rival:
            decide(rival, request_id, state=GoodwillRequestState.DECLINED, by="user:lee", at=T0)
            rival.commit()

        with pytest.raises(InputError, match="declined already"):
            decide(stale, request_id, state=GoodwillRequestState.APPROVED, by="user:max", at=T0)

    with Session(any_engine) as s:
        row = s.get(GoodwillRequest, request_id)
        assert row is not None and (row.state, row.decided_by) == ("declined", "user:lee")
