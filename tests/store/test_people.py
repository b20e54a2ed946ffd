"""People: linking accounts is transitive and audited, unlinking takes one account out, and the
relationship reads cases and goodwill across every linked account; the one thing's trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from core.errors import InputError
from store.engine import session_scope
from store.models import Author, Case, CaseEvent, GoodwillLedger, Person, PersonEvent
from store.one_thing import MAX_CHARS, set_one_thing
from store.people import (
    account_ids,
    find_authors,
    link_accounts,
    linked_people,
    relationship,
    unlink_account,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _authors(engine: Engine, *specs: tuple[str, str]) -> list[int]:
    with session_scope(engine) as s:
        rows = [Author(platform=p, platform_id=h, handle=h) for p, h in specs]
        s.add_all(rows)
        s.flush()
        return [a.id or 0 for a in rows]


def _case(engine: Engine, author_id: int, opened: datetime, **kw: Any) -> int:
    with session_scope(engine) as s:
        case = Case(author_id=author_id, source="x", opened_at=opened, **kw)
        s.add(case)
        s.flush()
        return case.id or 0


def _link(engine: Engine, a: int, b: int, *, case_id: int | None = None) -> int:
    with session_scope(engine) as s:
        return link_accounts(s, a, b, actor="user:alice", now=NOW, case_id=case_id)


def _unlink(engine: Engine, a: int) -> int:
    with session_scope(engine) as s:
        return unlink_account(s, a, actor="user:bob", now=NOW)


def _ids(engine: Engine, author_id: int) -> set[int]:
    with engine.connect() as conn:
        return set(account_ids(conn, author_id))


def test_link__is_transitive(engine: Engine) -> None:
    a, b, c = _authors(engine, ("x", "ann"), ("reddit", "ann_r"), ("bluesky", "ann.bsky"))

    _link(engine, a, b)
    _link(engine, b, c)

    assert _ids(engine, a) == _ids(engine, b) == _ids(engine, c) == {a, b, c}


def test_link__two_people_joined_become_one(any_engine: Engine) -> None:
    a, b, c, d = _authors(any_engine, ("x", "a"), ("x", "b"), ("reddit", "c"), ("reddit", "d"))
    first = _link(any_engine, a, b)
    _link(any_engine, c, d)

    joined = _link(any_engine, d, a)

    assert joined == first
    assert _ids(any_engine, c) == {a, b, c, d}
    with session_scope(any_engine) as s:
        assert [p.id for p in s.exec(select(Person)).all()] == [first]


def test_link__records_the_user_on_the_audit_and_the_case_trail(engine: Engine) -> None:
    a, b = _authors(engine, ("x", "ann"), ("reddit", "ann_r"))
    case_id = _case(engine, a, NOW)

    _link(engine, a, b, case_id=case_id)

    with session_scope(engine) as s:
        audit = s.exec(select(PersonEvent)).one()
        trail = s.exec(select(CaseEvent).where(CaseEvent.kind == "linked")).one()
    assert (audit.kind, audit.actor, audit.author_id, audit.other_author_id) == (
        "linked",
        "user:alice",
        a,
        b,
    )
    assert trail.actor == "user:alice" and trail.case_id == case_id
    assert trail.body == "linked @ann (x) and @ann_r (reddit) as one person"


def test_link__refuses_one_account_or_one_person_twice(engine: Engine) -> None:
    a, b, c = _authors(engine, ("x", "a"), ("x", "b"), ("x", "c"))
    _link(engine, a, b)
    _link(engine, b, c)

    with pytest.raises(InputError, match="itself"):
        _link(engine, a, a)
    with pytest.raises(InputError, match="one person already"):
        _link(engine, c, a)
    with pytest.raises(InputError, match="no account"):
        _link(engine, a, 9999)


def test_unlink__takes_one_account_out_and_keeps_the_others(engine: Engine) -> None:
    a, b, c = _authors(engine, ("x", "a"), ("reddit", "b"), ("x", "c"))
    _link(engine, a, b)
    _link(engine, a, c)

    _unlink(engine, b)

    assert _ids(engine, b) == {b}
    assert _ids(engine, a) == {a, c}
    with session_scope(engine) as s:
        kinds = [
            (e.kind, e.actor) for e in s.exec(select(PersonEvent).order_by(col(PersonEvent.id)))
        ]
    assert kinds[-1] == ("unlinked", "user:bob")


def test_unlink__the_last_pair_dissolves_the_person(any_engine: Engine) -> None:
    a, b = _authors(any_engine, ("x", "a"), ("reddit", "b"))
    _link(any_engine, a, b)

    _unlink(any_engine, a)

    assert _ids(any_engine, a) == {a} and _ids(any_engine, b) == {b}
    with session_scope(any_engine) as s:
        assert s.exec(select(Person)).all() == []
    with pytest.raises(InputError, match="not linked"):
        _unlink(any_engine, b)


def test_relationship__reads_cases_and_goodwill_across_platforms(any_engine: Engine) -> None:
    a, b, stranger = _authors(any_engine, ("x", "ann"), ("reddit", "ann_r"), ("x", "zed"))
    fan = _case(
        any_engine,
        b,
        NOW - timedelta(days=40),
        stage="fan",
        is_open=False,
        outcome="fan",
        closed_at=NOW - timedelta(days=38),
        one_thing="a working export",
    )
    gone = _case(
        any_engine,
        a,
        NOW - timedelta(days=20),
        stage="walk_away",
        is_open=False,
        outcome="walk_away",
        walkaway_reason="no_answer",
        closed_at=NOW - timedelta(days=10),
    )
    now_open = _case(any_engine, a, NOW)
    _case(any_engine, stranger, NOW)
    with session_scope(any_engine) as s:
        s.add(GoodwillLedger(case_id=fan, actor="user:alice", kind="refund", amount=20.0))
        s.add(GoodwillLedger(case_id=fan, actor="user:lena", kind="gift", amount=5.5))
        s.add(GoodwillLedger(case_id=gone, actor="user:alice", kind="credit", amount=10.0))

    with any_engine.connect() as conn:
        alone = relationship(conn, a)
    assert [c.id for c in alone.cases] == [now_open, gone]
    assert alone.person_id is None

    _link(any_engine, a, b)
    with any_engine.connect() as conn:
        both = relationship(conn, a)

    assert [c.id for c in both.cases] == [now_open, gone, fan]
    assert {acc.platform for acc in both.accounts} == {"x", "reddit"}
    reddit = both.cases[2]
    assert (reddit.platform, reddit.handle, reddit.one_thing) == (
        "reddit",
        "ann_r",
        "a working export",
    )
    assert [g.kind for g in reddit.goodwill] == ["refund", "gift"]
    assert reddit.goodwill_total == pytest.approx(25.5)
    assert both.goodwill_total == pytest.approx(35.5)
    assert [(link.kind, link.actor) for link in both.links] == [("linked", "user:alice")]
    assert all(acc.linked_by == "user:alice" for acc in both.accounts)


def test_find_authors__by_part_of_the_handle_exact_first(any_engine: Engine) -> None:
    _authors(any_engine, ("x", "ann_smith"), ("reddit", "Ann"), ("x", "bob"), ("x", "an%n"))

    with any_engine.connect() as conn:
        found = [a.handle for a in find_authors(conn, "@ann")]
        percent = [a.handle for a in find_authors(conn, "%")]
        nothing = find_authors(conn, "  ")

    assert found[0] == "Ann" and set(found) == {"Ann", "ann_smith"}
    assert percent == ["an%n"]
    assert nothing == []


def test_linked_people__lists_each_person_with_their_accounts(engine: Engine) -> None:
    a, b, c, d = _authors(engine, ("x", "a"), ("reddit", "b"), ("x", "c"), ("x", "d"))
    _link(engine, a, b)
    _link(engine, c, d)

    with engine.connect() as conn:
        people = linked_people(conn)

    assert sorted(sorted(acc.handle for acc in p) for p in people) == [["a", "b"], ["c", "d"]]


def test_one_thing__each_change_is_on_the_trail_with_the_user(engine: Engine) -> None:
    (a,) = _authors(engine, ("x", "ann"))
    case_id = _case(engine, a, NOW)

    with session_scope(engine) as s:
        assert set_one_thing(
            s, case_id, "  refund the March bill\x00 ", actor="user:alice", now=NOW
        )
    with session_scope(engine) as s:
        assert not set_one_thing(s, case_id, "refund the March bill", actor="user:bob", now=NOW)
        assert set_one_thing(s, case_id, "", actor="user:bob", now=NOW)
    with session_scope(engine) as s:
        trail = s.exec(
            select(CaseEvent).where(CaseEvent.kind == "one_thing").order_by(col(CaseEvent.id))
        ).all()
        case = s.get(Case, case_id)

    assert case is not None and case.one_thing is None
    assert [(e.actor, e.body, e.data) for e in trail] == [
        ("user:alice", "refund the March bill", {}),
        ("user:bob", None, {"before": "refund the March bill"}),
    ]
    with session_scope(engine) as s, pytest.raises(InputError, match="longer"):
        set_one_thing(s, case_id, "x" * (MAX_CHARS + 1), actor="user:alice", now=NOW)
