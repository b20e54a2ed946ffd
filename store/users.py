"""Staff accounts: who is who, who may hold cases, who receives the digest.

Functions taking a ``Session`` return rows attached to it, so the caller's transaction can
change them (disable an account, rehash a password) and commit.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, true
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from store.models import User


def user_named(session: Session, username: str) -> User | None:
    """The account called ``username`` (names are stored lower-case), if any."""
    return session.exec(select(User).where(col(User.username) == username)).first()


def username_taken(session: Session, username: str) -> bool:
    """True when an account already uses ``username``."""
    found = session.exec(select(User.id).where(col(User.username) == username)).first()
    return found is not None


def all_users(session: Session) -> list[User]:
    """Every account, active or not, by username."""
    return list(session.exec(select(User).order_by(col(User.username))))


def active_staff(conn: Connection, *, roles: Sequence[str] = ("agent", "lead")) -> list[str]:
    """Usernames of active staff who can hold cases, in a stable order."""
    rows = conn.execute(
        select(col(User.username))
        .where(col(User.active) == true(), col(User.role).in_(list(roles)))
        .order_by(col(User.username))
    ).scalars()
    return list(rows)


def active_emails(session: Session, role: str) -> list[str]:
    """The email addresses of active accounts with ``role``, oldest account first."""
    rows = session.exec(
        select(User.email)
        .where(col(User.role) == role, col(User.active).is_(True))
        .where(col(User.email).is_not(None))
        .order_by(col(User.id))
    ).all()
    return [email for email in rows if email is not None]


def user_count(conn: Connection) -> int:
    """How many accounts exist, active or not."""
    return int(conn.execute(select(func.count()).select_from(User)).scalar_one())
