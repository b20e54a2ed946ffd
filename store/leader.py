"""One process of a kind at a time: a lock the worker holds while it works, a standby waits on.

Some stages keep a single cursor and must run as one process (the playbook worker). Each such
worker takes a named lock before it works; a second one started against the same database
stands by, asks again every :data:`STANDBY_RETRY_S`, and takes over within about that long
once the holder is gone. The worker checks the lock before each pass and each batch
(:meth:`LeaderLock.check`) and stops working the moment it is lost.

PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection of the
lock's own, opened for it and held for as long as the worker leads. When the process dies
(SIGKILL, OOM, a lost machine) its connection closes and PostgreSQL releases the lock at once.
When that connection breaks under a living worker (the database restarts, the session is
terminated), the check fails and the worker stops and stands by again before it writes another
batch: there are never two leaders, since the server has released the lock only by ending the
one session that held it. TCP keepalives and a user timeout on the lock connection bound how
long a half-open connection (a network partition) can go unnoticed: the leader gives up after
:data:`CLIENT_TIMEOUT_S` of silence, before the server ends the session (about
:data:`SERVER_DROP_S`) and lets a standby in.

SQLite lives on one machine, so the same guarantee comes from the operating system: an
exclusive ``flock`` on a file beside the database (``critic2fan.db-playbook.lock``), which the
kernel releases when the holding process dies, however it dies. A lock file removed or replaced
under a running worker counts as a lost lock. An in-memory database is one process's own: a
lock inside that process suffices.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.engine import Engine

from core.backoff import Backoff
from core.errors import StorageError

log = logging.getLogger(__name__)

#: How often a standby asks for the lock (the longest a takeover waits after the holder died).
STANDBY_RETRY_S = 0.5
#: A leader whose lock connection is silent this long gives up (libpq ``tcp_user_timeout``).
CLIENT_TIMEOUT_S = 10
#: The server ends a silent lock session after about this long (keepalive idle + probes).
SERVER_DROP_S = 10 + 5 * 3


class LockLost(Exception):
    """The worker no longer holds its lock: it must stop working at once."""


class LeaderLock(Protocol):
    """A named lock one process at a time holds."""

    name: str

    def try_acquire(self) -> bool:
        """Take the lock if it is free; True when this process holds it now.

        Raises :class:`~core.errors.StorageError` when the database cannot be asked.
        """
        ...

    def check(self) -> None:
        """Return when the lock is still held; raise :class:`LockLost` otherwise."""
        ...

    def release(self) -> None:
        """Give the lock up (nothing when not held)."""
        ...


def lock_key(name: str) -> int:
    """The advisory lock key for ``name``: a stable signed 64-bit number."""
    digest = hashlib.blake2b(f"critic2fan:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class AdvisoryLock:
    """PostgreSQL: ``pg_try_advisory_lock`` held by a connection of its own (psycopg 3)."""

    def __init__(self, engine: Engine, name: str) -> None:
        cargs, cparams = engine.dialect.create_connect_args(engine.url)
        self.name = name
        self.key = lock_key(name)
        self._cargs = list(cargs)
        # keepalives and a user timeout notice a dead peer; the URL's own values win
        defaults = {
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 3,
            "tcp_user_timeout": CLIENT_TIMEOUT_S * 1000,
            "connect_timeout": CLIENT_TIMEOUT_S,
            "application_name": f"critic2fan {name} lock",
        }
        params = {k: v for k, v in cparams.items() if k != "context"}
        self._cparams = {**defaults, **params}
        self._conn: Any = None
        self._held = False

    def _connect(self) -> Any:
        import psycopg

        conn = psycopg.connect(*self._cargs, **self._cparams, autocommit=True)
        # the server ends the session (and frees the lock) after SERVER_DROP_S of silence
        conn.execute("SET tcp_keepalives_idle = 10")
        conn.execute("SET tcp_keepalives_interval = 5")
        conn.execute("SET tcp_keepalives_count = 3")
        return conn

    def try_acquire(self) -> bool:
        """Ask once; the connection stays open for the next ask or for holding the lock."""
        import psycopg

        if self._held:
            self.check()
            return True
        try:
            if self._conn is None or self._conn.closed:
                self._conn = self._connect()
            row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        except psycopg.Error as exc:
            self._drop()
            raise StorageError(f"cannot ask for the {self.name} lock: {_first_line(exc)}") from None
        self._held = bool(row and row[0])
        return self._held

    def check(self) -> None:
        """One round trip on the lock's connection: alive means the session's lock is held."""
        import psycopg

        if not self._held or self._conn is None:
            raise LockLost(f"the {self.name} lock is not held")
        try:
            self._conn.execute("SELECT 1")
        except psycopg.Error as exc:
            self._drop()
            raise LockLost(f"lost the {self.name} lock's connection: {_first_line(exc)}") from None

    def backend_pid(self) -> int | None:
        """The server process of the lock's connection (for ``pg_locks``), None when closed."""
        conn = self._conn
        return None if conn is None or conn.closed else int(conn.info.backend_pid)

    def release(self) -> None:
        """Unlock and close the connection (closing alone would free the lock too)."""
        import psycopg

        if self._held and self._conn is not None and not self._conn.closed:
            try:
                self._conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
            except psycopg.Error:
                log.debug("unlocking %s failed; closing frees it", self.name, exc_info=True)
        self._drop()

    def _drop(self) -> None:
        conn, self._conn, self._held = self._conn, None, False
        if conn is not None:
            try:
                conn.close()
            except Exception:  # already broken: nothing more to release
                log.debug("closing the %s lock connection failed", self.name, exc_info=True)


class FileLock:
    """SQLite: an exclusive ``flock`` on ``path``, freed by the kernel when the process dies."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """Lock the file if no other open file holds it (another process or thread)."""
        if self._fd is not None:
            self.check()
            return True
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StorageError(f"cannot open the lock file {self.path}: {exc.strerror}") from None
        if not _lock_fd(fd) or not self._is_current(fd):
            os.close(fd)  # busy, or the file was replaced between open and lock
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # who holds it, for the operator
        self._fd = fd
        return True

    def check(self) -> None:
        """Held, and the file at ``path`` is still the one locked."""
        if self._fd is None:
            raise LockLost(f"the {self.name} lock is not held")
        if not self._is_current(self._fd):
            self.release()
            raise LockLost(f"the {self.name} lock file {self.path} was removed or replaced")

    def _is_current(self, fd: int) -> bool:
        try:
            on_disk = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (on_disk.st_dev, on_disk.st_ino) == (mine.st_dev, mine.st_ino)

    def release(self) -> None:
        """Unlock by closing; the file stays (removing it would let two lock two files)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


class ProcessLock:
    """An in-memory database: only this process sees it, so a lock in the process suffices."""

    _locks: dict[tuple[str, str], threading.Lock] = {}
    _guard = threading.Lock()

    def __init__(self, engine: Engine, name: str) -> None:
        self.name = name
        with self._guard:
            key = (str(engine.url), name)
            self._lock = self._locks.setdefault(key, threading.Lock())
        self._held = False

    def try_acquire(self) -> bool:
        """Take the lock if no other thread holds it."""
        if not self._held:
            self._held = self._lock.acquire(blocking=False)
        return self._held

    def check(self) -> None:
        """Held until released."""
        if not self._held:
            raise LockLost(f"the {self.name} lock is not held")

    def release(self) -> None:
        """Let another thread have it."""
        if self._held:
            self._held = False
            self._lock.release()


def leader_lock(engine: Engine, name: str) -> LeaderLock:
    """The lock named ``name`` for this database: advisory on PostgreSQL, a file on SQLite."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine, name)
    database = engine.url.database
    if not database or database == ":memory:" or "mode=memory" in str(engine.url):
        return ProcessLock(engine, name)
    path = Path(database.removeprefix("file:").split("?", 1)[0]).expanduser()
    return FileLock(path.with_name(f"{path.name}-{name}.lock"), name)


def wait_to_lead(
    lock: LeaderLock,
    stop: threading.Event,
    *,
    what: str,
    retry_s: float = STANDBY_RETRY_S,
    backoff: Backoff | None = None,
) -> bool:
    """Block until this process holds ``lock`` (True) or ``stop`` is set (False).

    While another process holds it, say once that this one stands by and ask again every
    ``retry_s``; while the database cannot be asked, wait by ``backoff``.
    """
    backoff = backoff or Backoff(base=0.5, cap=10.0)
    standby_since: float | None = None
    while not stop.is_set():
        try:
            acquired = lock.try_acquire()
        except StorageError as exc:
            delay = backoff.next_delay()
            log.warning("%s: %s; retrying in %.1fs", what, exc, delay)
            stop.wait(delay)
            continue
        backoff.reset()
        if acquired:
            if standby_since is None:
                log.info("%s: holds the %s lock", what, lock.name)
            else:
                waited = time.monotonic() - standby_since
                log.warning("%s: took over the %s lock after %.1fs on standby", what, lock.name,
                            waited)  # fmt: skip
            return True
        if standby_since is None:
            standby_since = time.monotonic()
            log.warning("%s: another process holds the %s lock; standing by", what, lock.name)
        stop.wait(retry_s)
    return False


def _lock_fd(fd: int) -> bool:
    """Try an exclusive, non-blocking lock on ``fd``; False when someone else holds it."""
    if sys.platform == "win32":  # a byte-range lock, also freed when the process ends
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__
