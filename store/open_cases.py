"""The cases a new post may belong to, and the incidents that colour how it is handled."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from store.models import Author, Case, Incident


def open_cases_of(session: Session, author_id: int) -> list[Case]:
    """The author's open cases, most recently updated first."""
    return list(
        session.exec(
            select(Case)
            .where(col(Case.author_id) == author_id, col(Case.is_open).is_(True))
            .order_by(col(Case.updated_at).desc())
        ).all()
    )


def open_cases_of_authors(session: Session, author_ids: Sequence[int]) -> list[Case]:
    """The authors' open cases in one query, in the authors' order (each author's most
    recently updated first)."""
    if not author_ids:
        return []
    rows = session.exec(
        select(Case)
        .where(col(Case.author_id).in_(list(author_ids)), col(Case.is_open).is_(True))
        .order_by(col(Case.updated_at).desc())
    ).all()
    order = {author: i for i, author in enumerate(author_ids)}
    return sorted(rows, key=lambda row: order[row.author_id])


def all_incidents(session: Session) -> list[Incident]:
    """Every incident, past and current (few: one per outage or spike)."""
    return list(session.exec(select(Incident)).all())


def is_brand_author(session: Session, author_id: int) -> bool:
    """Whether the author is one of the brand's own accounts."""
    author = session.get(Author, author_id)
    return bool(author and author.is_brand)


def open_cases_with_authors(session: Session) -> list[tuple[Case, Author]]:
    """Every open case with its author, oldest first (what a lead reviews on the board)."""
    rows = session.exec(
        select(Case, Author)
        .join(Author, col(Author.id) == col(Case.author_id))
        .where(col(Case.is_open).is_(True))
        .order_by(col(Case.opened_at), col(Case.id))
    ).all()
    return [(case, author) for case, author in rows]
