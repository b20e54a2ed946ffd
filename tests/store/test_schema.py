"""The schema: migrations match the tables, times stay aware UTC, uniqueness holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from store.models import Author, Case, Mention, Score


def test_migrations__match_the_tables(any_engine: Engine) -> None:
    with any_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)

    assert diff == []


def test_migrations__create_queue_indexes(any_engine: Engine) -> None:
    indexes = {ix["name"] for ix in inspect(any_engine).get_indexes("case")}

    assert {"ix_case_queue", "ix_case_open_stage", "ix_case_timer"} <= indexes


def test_sqlite__runs_in_wal_mode_with_busy_timeout(engine: Engine) -> None:
    with engine.connect() as conn:
        mode = conn.execute(text("PRAGMA journal_mode")).scalar_one()
        timeout = conn.execute(text("PRAGMA busy_timeout")).scalar_one()

    assert mode == "wal"
    assert timeout >= 5000


def _author(session: Session) -> Author:
    author = Author(platform="x", platform_id="42", handle="zoe")
    session.add(author)
    session.flush()
    return author


def test_times__come_back_aware_utc(any_engine: Engine) -> None:
    paris = timezone(timedelta(hours=1))
    with Session(any_engine) as session:
        author = _author(session)
        session.add(
            Mention(
                source="x",
                external_id="1",
                author_id=author.id or 0,
                text="hi",
                created_at=datetime(2026, 11, 1, 12, 0, tzinfo=paris),
            )
        )
        session.commit()
    with Session(any_engine) as session:
        mention = session.exec(select(Mention)).one()

    assert mention.created_at == datetime(2026, 11, 1, 11, 0, tzinfo=UTC)
    assert mention.created_at.tzinfo is not None
    assert mention.fetched_at.tzinfo is not None


def test_times__naive_values_are_refused(any_engine: Engine) -> None:
    with Session(any_engine) as session:
        author = _author(session)
        session.add(
            Mention(
                source="x",
                external_id="1",
                author_id=author.id or 0,
                text="hi",
                created_at=datetime(2026, 11, 1, 12, 0),
            )
        )
        with pytest.raises(Exception, match="naive datetime"):
            session.commit()


def test_mention__same_source_and_id_is_refused(any_engine: Engine) -> None:
    now = datetime.now(UTC)
    with Session(any_engine) as session:
        author = _author(session)
        for _ in range(2):
            session.add(
                Mention(
                    source="x", external_id="7", author_id=author.id or 0, text="t", created_at=now
                )
            )
        with pytest.raises(IntegrityError):
            session.commit()


def test_score__new_model_version_adds_a_row(any_engine: Engine) -> None:
    now = datetime.now(UTC)
    with Session(any_engine) as session:
        author = _author(session)
        mention = Mention(
            source="x", external_id="8", author_id=author.id or 0, text="t", created_at=now
        )
        session.add(mention)
        session.flush()
        for version in ("1", "2"):
            session.add(
                Score(
                    mention_id=mention.id or 0,
                    model_name="m",
                    model_version=version,
                    sentiment_label="negative",
                    p_negative=0.8,
                    p_neutral=0.1,
                    p_positive=0.1,
                    sentiment=-0.7,
                    toxicity=0.1,
                    troll_likelihood=0.1,
                )
            )
        session.commit()
        assert len(session.exec(select(Score)).all()) == 2


def test_case__state_json_round_trips(any_engine: Engine) -> None:
    with Session(any_engine) as session:
        author = _author(session)
        session.add(Case(author_id=author.id or 0, source="x", state={"facts": ["no-fee"]}))
        session.commit()
    with Session(any_engine) as session:
        case = session.exec(select(Case)).one()

    assert case.state == {"facts": ["no-fee"]}
    assert case.stage == "acknowledge" and case.is_open


def test_migrations__upgrade_from_the_first_revision_keeps_rows(db_url: str) -> None:
    from store.engine import make_engine
    from store.migrate import current_revision, head_revision, upgrade

    eng = make_engine(db_url)
    upgrade(eng, "0001")
    with Session(eng) as session:
        author = _author(session)
        # the case as revision 0001 knew it (the model has grown columns since)
        session.execute(
            text(
                'INSERT INTO "case" (author_id, topic, source, stage, is_open, priority,'
                " opened_at, updated_at, goodwill_spent, incident, state) VALUES (:author,"
                " 'general', 'x', 'acknowledge', 1, 12.5, '2026-11-01 12:00:00.000000',"
                " '2026-11-01 12:00:00.000000', 0, 0, '{}')"
            ),
            {"author": author.id},
        )
        session.commit()

    upgrade(eng)

    assert current_revision(eng) == head_revision() != "0001"
    with Session(eng) as session:
        (case,) = session.exec(select(Case)).all()
    assert case.priority == 12.5 and case.urgency_weight == 0.0 and case.sla_minutes is None
