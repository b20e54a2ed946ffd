"""Every SQL query lives in ``store/``: the packages above it call store functions.

The scan reads each module's syntax tree and flags what writes or runs a query outside the
store: importing SQLAlchemy's or SQLModel's query builders (``select``, ``insert``, ``func`` …),
reaching a model's ``__table__``, and calling ``exec`` / ``execute`` (a session's or a
connection's). Importing the model classes, ``Session``, ``Engine`` or ``Connection`` (to pass
them down, or for typing) is fine.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The packages above the store.
PACKAGES = ("core", "listener", "scoring", "playbooks", "dashboard", "critic2fan", "sample")

#: Modules that still write their own SQL until it moves to ``store/`` (paths from the root).
#: Empty: every stage reads and writes through store functions.
SQL_ALLOWED_UNTIL_MOVED: frozenset[str] = frozenset()

#: Names that build a query when imported from SQLAlchemy or SQLModel.
QUERY_BUILDERS = frozenset(
    {
        "select", "insert", "update", "delete", "text", "func", "and_", "or_", "not_",
        "case", "true", "false", "exists", "tuple_", "bindparam", "literal", "literal_column",
        "column", "table", "union", "union_all", "type_coerce", "aliased",
    }
)  # fmt: skip
#: Methods that run a statement on a session or a connection.
RUNNERS = frozenset({"exec", "execute", "exec_driver_sql"})
SQL_LIBRARIES = ("sqlalchemy", "sqlmodel")


def _from_sql_library(module: str | None) -> bool:
    return module is not None and module.split(".")[0] in SQL_LIBRARIES


def sql_in(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """``(line, what)`` for each query builder import, ``__table__`` use or statement run."""
    sql_modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _from_sql_library(node.module):
            for alias in node.names:
                if alias.name in QUERY_BUILDERS or alias.name == "*":
                    yield node.lineno, f"imports {alias.name} from {node.module}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _from_sql_library(alias.name):
                    sql_modules.add((alias.asname or alias.name).split(".")[0])
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        if node.attr == "__table__":
            yield node.lineno, "reads a model's __table__"
        elif (
            isinstance(node.value, ast.Name)
            and node.value.id in sql_modules
            and node.attr in QUERY_BUILDERS
        ):
            yield node.lineno, f"uses {node.value.id}.{node.attr}"
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in RUNNERS
        ):
            yield node.lineno, f"runs a statement (.{node.func.attr})"


def _modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        if (ROOT / package).is_dir()
        for path in (ROOT / package).rglob("*.py")
    )


def _findings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [f"{path.relative_to(ROOT)}:{line}: {what}" for line, what in sorted(set(sql_in(tree)))]


def test_sql_lives_in_store() -> None:
    found = [
        finding
        for path in _modules()
        if path.relative_to(ROOT).as_posix() not in SQL_ALLOWED_UNTIL_MOVED
        for finding in _findings(path)
    ]
    assert not found, "SQL outside store/ (move it to a store module):\n" + "\n".join(found)


def test_allowlisted_modules_still_hold_sql() -> None:
    """An allowlist entry whose module moved its SQL out is stale: remove it."""
    stale = [
        allowed
        for allowed in sorted(SQL_ALLOWED_UNTIL_MOVED)
        if not (ROOT / allowed).is_file() or not _findings(ROOT / allowed)
    ]
    assert not stale, f"these hold no SQL now, drop them from the list: {stale}"


@pytest.mark.parametrize(
    "source",
    [
        "from sqlalchemy import select",
        "from sqlmodel import col, select",
        "from sqlalchemy.dialects.sqlite import insert",
        "import sqlalchemy as sa\nsa.func.count()",
        "session.exec(query)",
        "conn.execute(stmt)",
        "conn.exec_driver_sql('SELECT 1')",
        "columns = Mention.__table__.c",
    ],
)
def test_scan__flags_each_way_of_writing_sql(source: str) -> None:
    assert list(sql_in(ast.parse(source)))


@pytest.mark.parametrize(
    "source",
    [
        "from sqlmodel import Session",
        "from sqlalchemy.engine import Connection, Engine",
        "from sqlalchemy.exc import OperationalError",
        "from store.models import Case, Mention",
        "from store.board import fetch_queue\nfetch_queue(conn)",
        "import sqlalchemy\nsqlalchemy.engine.Engine",
        "settings.update(x)",
    ],
)
def test_scan__lets_models_sessions_and_store_calls_through(source: str) -> None:
    assert not list(sql_in(ast.parse(source)))
