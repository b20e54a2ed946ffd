"""The Core ``Table`` behind a SQLModel class, typed, for queries that work on columns."""

from __future__ import annotations

from sqlalchemy import Table
from sqlmodel import SQLModel


def table(model: type[SQLModel] | Table) -> Table:
    """``model.__table__`` as a ``Table`` (SQLModel does not declare the attribute's type)."""
    found = getattr(model, "__table__", model)
    if not isinstance(found, Table):
        raise TypeError(f"not a table: {model!r}")
    return found
