"""Shared fixtures for the outbox tests: an open case on a critic's post, and a lead."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from playbooks.runner import process_pending
from store.models import Case, Mention, User
from tests.playbooks.conftest import T0, Feed, pb, t0  # noqa: F401  (fixtures)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Engine:
    """A migrated database: SQLite, then PostgreSQL."""
    name = "engine" if request.param == "sqlite" else "pg_engine"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture
def feed(db: Engine) -> Feed:
    """A tiny writer bound to the test's migrated database."""
    return Feed(db)


@pytest.fixture
def case_id(db: Engine, feed: Feed, pb) -> int:  # noqa: F811
    """One open acknowledge case from a critic claiming a cancellation fee."""
    feed.say("ana", "Brightloop charged me a cancellation fee, scam", T0, neg=0.9)
    process_pending(db, pb)
    with Session(db) as s:
        row = s.exec(select(Case)).one()
        assert row.id is not None
        return row.id


@pytest.fixture
def mention_id(db: Engine, case_id: int) -> int:
    """The critic's post the case opened on."""
    with Session(db) as s:
        row = s.exec(select(Mention)).first()
        assert row is not None and row.id is not None
        return row.id


@pytest.fixture
def lead(db: Engine) -> str:
    """An active lead, ``lee``."""
    with Session(db) as s:
        s.add(User(username="lee", display_name="Lee", role="lead", password_hash="x"))
        s.commit()
    return "lee"
