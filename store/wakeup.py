"""Waking a stage when the stage before it has stored new work.

On PostgreSQL the writer of new work sends ``NOTIFY`` on a channel inside its transaction (the
database delivers it at commit, never for a rolled-back write), and an idle stage ``LISTEN``\\ s
on a connection of its own: it starts within milliseconds of new work instead of a poll
interval later. SQLite has no notifications, so a stage there looks again after a short poll.

::

    store.writer.write_batch ──NOTIFY critic2fan_mentions──► scorer
    scoring worker           ──NOTIFY critic2fan_scores────► playbook runner

A notification only says "look now"; the stage still reads the store for what to do, so a lost
notification (a listener reconnecting) costs one poll interval, never work.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from core.errors import StorageError

log = logging.getLogger(__name__)

#: New mentions were stored (the scorer listens).
MENTIONS_CHANNEL = "critic2fan_mentions"
#: New scores were stored (the playbook runner listens).
SCORES_CHANNEL = "critic2fan_scores"
#: How often a LISTEN wait looks at its stop event (an upper bound on how late a stop is seen).
STOP_CHECK_S = 0.25
#: The default look-again interval on SQLite.
SQLITE_POLL_S = 0.25


def notify(conn: Connection, channel: str) -> None:
    """Tell listeners on ``channel`` that there is new work, when this transaction commits.

    Nothing on SQLite (its waiters poll). PostgreSQL folds repeated notifications of one
    transaction into one, so calling this once per batch is cheap.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_notify(:channel, '')"), {"channel": channel})


class Wakeup(Protocol):
    """Something an idle stage waits on until there may be new work."""

    def wait(self, timeout: float, stop: threading.Event) -> bool:
        """Return when woken (True), after ``timeout`` seconds or once ``stop`` is set (False)."""
        ...

    def close(self) -> None:
        """Release what the wake-up holds (a database connection)."""
        ...


class PollWakeup:
    """SQLite: no notifications; an idle stage looks again after ``poll_s`` at the latest."""

    def __init__(self, poll_s: float = SQLITE_POLL_S) -> None:
        self.poll_s = poll_s

    def wait(self, timeout: float, stop: threading.Event) -> bool:
        """Sleep ``min(timeout, poll_s)`` unless stopped first; never reports a wake-up."""
        stop.wait(max(0.0, min(timeout, self.poll_s)))
        return False

    def close(self) -> None:
        """Nothing to release."""


class ListenWakeup:
    """PostgreSQL: ``LISTEN`` on ``channels`` over a connection of its own (psycopg 3).

    The connection is opened on the first wait and again after it breaks; a fresh one reports
    a wake-up, since notifications sent while it was down were lost. A broken connection
    raises :class:`~core.errors.StorageError`, which the worker loop waits out by backoff.
    """

    def __init__(
        self, engine: Engine, channels: Sequence[str], *, stop_check_s: float = STOP_CHECK_S
    ) -> None:
        cargs, cparams = engine.dialect.create_connect_args(engine.url)
        self._cargs = list(cargs)
        self._cparams = {k: v for k, v in cparams.items() if k != "context"}
        self.channels = tuple(channels)
        self.stop_check_s = stop_check_s
        self._conn: Any = None

    def _connect(self) -> Any:
        import psycopg
        from psycopg import sql

        conn = psycopg.connect(*self._cargs, **self._cparams, autocommit=True)
        for channel in self.channels:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        log.debug("listening on %s", ", ".join(self.channels))
        return conn

    def wait(self, timeout: float, stop: threading.Event) -> bool:
        """Block until a notification on one of the channels, ``timeout`` or ``stop``."""
        import psycopg

        deadline = time.monotonic() + timeout
        try:
            if self._conn is None or self._conn.closed:
                self._conn = self._connect()
                return True
            while not stop.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                slice_s = min(left, self.stop_check_s)
                if any(True for _ in self._conn.notifies(timeout=slice_s, stop_after=1)):
                    for _ in self._conn.notifies(timeout=0):  # coalesce the backlog
                        pass
                    return True
            return False
        except psycopg.Error as exc:
            self._drop()
            lines = str(exc).strip().splitlines()
            reason = lines[0] if lines else type(exc).__name__
            raise StorageError(f"lost the notification connection: {reason}") from None

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # already broken: nothing more to release
                log.debug("closing the notification connection failed", exc_info=True)

    def close(self) -> None:
        """Close the listening connection."""
        self._drop()


def wakeup_for(
    engine: Engine, channels: Sequence[str], *, sqlite_poll_s: float = SQLITE_POLL_S
) -> Wakeup:
    """The wake-up this database offers: LISTEN on PostgreSQL, a short poll on SQLite."""
    if engine.dialect.name == "postgresql":
        return ListenWakeup(engine, channels)
    return PollWakeup(sqlite_poll_s)
