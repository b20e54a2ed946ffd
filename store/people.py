"""People: accounts staff linked as one human, and the relationship read across them.

An account belongs to one person at most (``PersonAccount`` is keyed by the account), so
links are transitive: linking an account of one person to an account of another joins the two
people (the older person keeps everyone). Unlinking takes one account out; a person left with a
single account is dissolved. Every link and unlink is a ``PersonEvent`` naming the user, and,
when staff did it from a case, a ``CaseEvent`` on that case's trail.

The reads return plain dataclasses, detached from any session: the case page's history panel
shows them as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from core.errors import InputError
from store.models import Author, Case, CaseEvent, GoodwillLedger, Person, PersonAccount, PersonEvent

log = logging.getLogger(__name__)

#: The newest cases the relationship reads (a person with more shows these).
CASES_READ = 100
#: Ids per ``IN (…)`` list, well under every database's bound-parameter limit.
IDS_PER_QUERY = 500


@dataclass(frozen=True)
class Account:
    """One account of a person (or the lone account of someone nobody linked)."""

    author_id: int
    platform: str
    handle: str
    display_name: str | None
    linked_at: datetime | None = None
    linked_by: str | None = None


@dataclass(frozen=True)
class GoodwillItem:
    """One goodwill spend on one of the person's cases."""

    case_id: int
    at: datetime
    kind: str
    amount: float
    currency: str
    actor: str
    note: str | None


@dataclass(frozen=True)
class PastCase:
    """One of the person's cases, on any of their accounts."""

    id: int
    author_id: int
    platform: str
    handle: str
    topic: str
    stage: str
    is_open: bool
    opened_at: datetime
    closed_at: datetime | None
    outcome: str | None
    walkaway_reason: str | None
    one_thing: str | None
    goodwill: tuple[GoodwillItem, ...] = ()

    @property
    def goodwill_total(self) -> float:
        """Goodwill given on this case, in all."""
        return sum(g.amount for g in self.goodwill)


@dataclass(frozen=True)
class LinkRecord:
    """One link or unlink, as the audit keeps it."""

    at: datetime
    actor: str
    kind: str
    author_id: int
    other_author_id: int | None


@dataclass(frozen=True)
class Relationship:
    """Everything the brand knows of one person: their accounts, cases, goodwill and links."""

    person_id: int | None
    accounts: list[Account]
    cases: list[PastCase]
    links: list[LinkRecord]

    @property
    def goodwill_total(self) -> float:
        """Goodwill given on all their cases."""
        return sum(c.goodwill_total for c in self.cases)


def person_of(session: Session, author_id: int) -> int | None:
    """The person an account is linked to (None: nobody linked it)."""
    return session.exec(
        select(PersonAccount.person_id).where(col(PersonAccount.author_id) == author_id)
    ).first()


def account_ids(conn: Connection, author_id: int) -> list[int]:
    """Every account of the person behind ``author_id`` (just that account when unlinked)."""
    with Session(bind=conn) as session:
        person = person_of(session, author_id)
        if person is None:
            return [author_id]
        return _members(session, person)


def link_accounts(
    session: Session,
    author_id: int,
    other_id: int,
    *,
    actor: str,
    now: datetime,
    case_id: int | None = None,
) -> int:
    """Link two accounts as one person and return its id: a new person, the one either
    account belongs to, or, when both belong to people already, the older of the two with
    everyone of the other. Refused when they are one account or one person already."""
    if author_id == other_id:
        raise InputError("an account cannot be linked to itself")
    first, second = _author(session, author_id), _author(session, other_id)
    mine, theirs = person_of(session, author_id), person_of(session, other_id)
    if mine is not None and mine == theirs:
        raise InputError(f"@{first.handle} and @{second.handle} are one person already")
    if mine is not None and theirs is not None:
        target, gone = min(mine, theirs), max(mine, theirs)
        session.execute(
            update(PersonAccount)
            .where(col(PersonAccount.person_id) == gone)
            .values(person_id=target)
        )
        session.execute(delete(Person).where(col(Person.id) == gone))
        joining: list[int] = []
    elif mine is not None:
        target, joining = mine, [other_id]
    elif theirs is not None:
        target, joining = theirs, [author_id]
    else:
        person = Person(created_at=now, created_by=actor)
        session.add(person)
        session.flush()
        assert person.id is not None
        target, joining = person.id, [author_id, other_id]
    for joiner in joining:
        session.add(
            PersonAccount(author_id=joiner, person_id=target, linked_at=now, linked_by=actor)
        )
    session.add(
        PersonEvent(
            at=now,
            actor=actor,
            kind="linked",
            person_id=target,
            author_id=author_id,
            other_author_id=other_id,
        )
    )
    if case_id is not None:
        body = f"linked {_named(first)} and {_named(second)} as one person"
        session.add(CaseEvent(case_id=case_id, at=now, kind="linked", actor=actor, body=body))
    session.flush()
    log.info("accounts %d and %d linked as person %d by %s", author_id, other_id, target, actor)
    return target


def unlink_account(
    session: Session, author_id: int, *, actor: str, now: datetime, case_id: int | None = None
) -> int:
    """Take one account out of its person (the others stay linked; a person left with one
    account is dissolved) and return the person's id. Refused when nobody linked it."""
    account = _author(session, author_id)
    person = person_of(session, author_id)
    if person is None:
        raise InputError(f"@{account.handle} is not linked to anyone")
    session.execute(delete(PersonAccount).where(col(PersonAccount.author_id) == author_id))
    left = _members(session, person)
    if len(left) <= 1:
        session.execute(delete(PersonAccount).where(col(PersonAccount.person_id) == person))
        session.execute(delete(Person).where(col(Person.id) == person))
    session.add(
        PersonEvent(at=now, actor=actor, kind="unlinked", person_id=person, author_id=author_id)
    )
    if case_id is not None:
        body = f"unlinked {_named(account)} from the person's other accounts"
        session.add(CaseEvent(case_id=case_id, at=now, kind="unlinked", actor=actor, body=body))
    session.flush()
    log.info("account %d unlinked from person %d by %s", author_id, person, actor)
    return person


def relationship(conn: Connection, author_id: int, *, cases: int = CASES_READ) -> Relationship:
    """The person behind ``author_id``: their accounts, their ``cases`` newest cases on any
    account (with each case's goodwill) and the audit of their links, newest first."""
    with Session(bind=conn) as session:
        person = person_of(session, author_id)
        ids = _members(session, person) if person is not None else [author_id]
        accounts = _accounts(session, ids)
        by_id = {a.author_id: a for a in accounts}
        rows = session.exec(
            select(Case)
            .where(col(Case.author_id).in_(ids))
            .order_by(col(Case.opened_at).desc(), col(Case.id).desc())
            .limit(cases)
        ).all()
        goodwill = _goodwill(session, [c.id for c in rows if c.id is not None])
        links = _links(session, person, ids)
    past = [
        PastCase(
            id=c.id or 0,
            author_id=c.author_id,
            platform=by_id[c.author_id].platform if c.author_id in by_id else c.source,
            handle=by_id[c.author_id].handle if c.author_id in by_id else "?",
            topic=c.topic,
            stage=c.stage,
            is_open=c.is_open,
            opened_at=c.opened_at,
            closed_at=c.closed_at,
            outcome=c.outcome,
            walkaway_reason=c.walkaway_reason,
            one_thing=c.one_thing,
            goodwill=tuple(goodwill.get(c.id or 0, ())),
        )
        for c in rows
    ]
    return Relationship(person_id=person, accounts=accounts, cases=past, links=links)


def find_authors(conn: Connection, handle: str, *, limit: int = 10) -> list[Account]:
    """Accounts whose handle contains ``handle`` (case-insensitive, a leading ``@`` ignored),
    exact matches first: how staff find the account to link."""
    wanted = handle.strip().removeprefix("@").strip()
    if not wanted:
        return []
    pattern = "%" + "".join("\\" + ch if ch in "\\%_" else ch for ch in wanted) + "%"
    with Session(bind=conn) as session:
        rows = session.exec(
            select(Author)
            .where(col(Author.handle).ilike(pattern, escape="\\"))
            .order_by(col(Author.handle), col(Author.id))
            .limit(limit * 5)
        ).all()
        found = [_account(a) for a in rows]
    found.sort(key=lambda a: a.handle.lower() != wanted.lower())
    return found[:limit]


def linked_people(conn: Connection, *, limit: int = 50) -> list[list[Account]]:
    """The ``limit`` most recently formed people, each as their linked accounts."""
    with Session(bind=conn) as session:
        people = [
            p
            for p in session.exec(
                select(Person.id)
                .order_by(col(Person.created_at).desc(), col(Person.id).desc())
                .limit(limit)
            ).all()
            if p is not None
        ]
        rows = session.exec(
            select(PersonAccount, Author)
            .join(Author, col(Author.id) == col(PersonAccount.author_id))
            .where(col(PersonAccount.person_id).in_(people))
            .order_by(col(Author.id))
        ).all()
        by_person: dict[int, list[Account]] = {p: [] for p in people}
        for link, author in rows:
            by_person[link.person_id].append(_account(author, link))
    return [accounts for accounts in by_person.values() if accounts]


def _members(session: Session, person: int) -> list[int]:
    rows = session.exec(
        select(PersonAccount.author_id)
        .where(col(PersonAccount.person_id) == person)
        .order_by(col(PersonAccount.author_id))
    ).all()
    return list(rows)


def _accounts(session: Session, ids: Sequence[int]) -> list[Account]:
    links = {
        p.author_id: p
        for p in session.exec(
            select(PersonAccount).where(col(PersonAccount.author_id).in_(list(ids)))
        ).all()
    }
    authors = session.exec(
        select(Author).where(col(Author.id).in_(list(ids))).order_by(col(Author.id))
    ).all()
    return [_account(a, links.get(a.id or 0)) for a in authors]


def _account(author: Author, link: PersonAccount | None = None) -> Account:
    return Account(
        author_id=author.id or 0,
        platform=author.platform,
        handle=author.handle,
        display_name=author.display_name,
        linked_at=link.linked_at if link else None,
        linked_by=link.linked_by if link else None,
    )


def _goodwill(session: Session, case_ids: Sequence[int]) -> dict[int, list[GoodwillItem]]:
    out: dict[int, list[GoodwillItem]] = {}
    for i in range(0, len(case_ids), IDS_PER_QUERY):
        rows = session.exec(
            select(GoodwillLedger)
            .where(col(GoodwillLedger.case_id).in_(list(case_ids[i : i + IDS_PER_QUERY])))
            .order_by(col(GoodwillLedger.at), col(GoodwillLedger.id))
        ).all()
        for g in rows:
            out.setdefault(g.case_id, []).append(
                GoodwillItem(g.case_id, g.at, g.kind, g.amount, g.currency, g.actor, g.note)
            )
    return out


def _links(session: Session, person: int | None, ids: Sequence[int]) -> list[LinkRecord]:
    """The audit of the person's links, and of any account's earlier ones."""
    query = select(PersonEvent).where(col(PersonEvent.author_id).in_(list(ids)))
    if person is not None:
        query = select(PersonEvent).where(
            (col(PersonEvent.person_id) == person) | col(PersonEvent.author_id).in_(list(ids))
        )
    rows = session.exec(query.order_by(col(PersonEvent.at).desc(), col(PersonEvent.id).desc()))
    return [LinkRecord(e.at, e.actor, e.kind, e.author_id, e.other_author_id) for e in rows.all()]


def _author(session: Session, author_id: int) -> Author:
    row = session.get(Author, author_id)
    if row is None:
        raise InputError(f"no account #{author_id}")
    return row


def _named(author: Author) -> str:
    return f"@{author.handle} ({author.platform})"
