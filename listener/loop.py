"""The one resumable stream loop every collector runs in (after praw's ``stream_generator``).

Two threads per source. The *reader* calls ``source.fetch(position)`` and hands items over a
bounded queue; when the connection drops or the platform errs it waits (jittered exponential
backoff, :class:`core.backoff.Backoff`, or until the rate-limit reset) and resumes from the last
position it handed over.
The *writer* (the caller's thread) drops duplicates with a bounded seen-id set, matches the
brand, guesses the language, and stores a batch together with the position it covers in one
transaction (``store.writer.write_batch``); while the database is away it retries that write,
waiting by the same kind of backoff. A crash at any instant therefore loses nothing and, thanks
to the unique ``(source, external_id)``, stores nothing twice.

A batch is written as soon as the stream goes quiet (nothing more arrives within
``quiet_seconds``), when it is full (``batch_size``) or when its oldest post has waited
``flush_seconds``, whichever comes first. A busy stream therefore groups its posts into few
transactions, and a single post is not held back for company.

``stop()`` (or SIGINT/SIGTERM via the runner) ends the reader, drains what was read, flushes
the batch and saves the cursor.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine

from core.backoff import Backoff
from core.clock import SYSTEM_CLOCK, Clock
from core.errors import SourceAuthError, StorageError
from core.records import MentionRecord
from listener.base import Fetched, Source
from listener.language import with_language
from listener.matching import Matcher
from store.writer import RefusedBatch, WriteResult, load_cursor, write_batch, write_isolating

log = logging.getLogger(__name__)

ErrorHook = Callable[[str, BaseException], None]
_END = object()
#: The longest a stored-to-be post waits in the writer's batch.
FLUSH_SECONDS = 0.2
#: A batch is written once nothing more has arrived for this long.
QUIET_SECONDS = 0.02
#: How long an idle writer waits for an item before looking at its stop event and cursor.
_IDLE_WAIT_S = 0.25


@dataclass
class LoopStats:
    """What a source has done so far: the status line reads these."""

    source: str
    received: int = 0
    matched: int = 0
    stored: int = 0
    duplicates: int = 0
    deleted: int = 0
    edited: int = 0
    errors: int = 0
    #: Posts the database refused (a value out of its limits); logged and skipped.
    refused: int = 0
    last_error: str | None = None
    last_created_at: datetime | None = None
    running: bool = True
    started_at: datetime = field(default_factory=SYSTEM_CLOCK.now)

    def lag_seconds(self, now: datetime | None = None) -> float | None:
        """How far behind the newest stored post is at ``now`` (None before the first)."""
        if self.last_created_at is None:
            return None
        return max(((now or SYSTEM_CLOCK.now()) - self.last_created_at).total_seconds(), 0.0)


class SeenIds:
    """A bounded set: remembers the last ``size`` keys, forgets the oldest first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._keys: OrderedDict[object, None] = OrderedDict()

    def add(self, key: object) -> bool:
        """Remember ``key``; False when it was already known."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return False
        self._keys[key] = None
        if len(self._keys) > self.size:
            self._keys.popitem(last=False)
        return True

    def __contains__(self, key: object) -> bool:
        return key in self._keys


class StreamLoop:
    """Runs one :class:`~listener.base.Source` into the store until stopped."""

    def __init__(
        self,
        source: Source,
        engine: Engine,
        *,
        matcher: Matcher | None = None,
        detect_lang: bool = True,
        batch_size: int = 200,
        flush_seconds: float = FLUSH_SECONDS,
        quiet_seconds: float = QUIET_SECONDS,
        cursor_seconds: float = 5.0,
        seen_size: int = 50_000,
        shutdown_grace: float = 3.0,
        backoff: Backoff | None = None,
        store_backoff: Backoff | None = None,
        on_error: ErrorHook | None = None,
        sleep: Callable[[float], None] | None = None,
        stop_event: threading.Event | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.source, self.engine, self.matcher = source, engine, matcher
        self.detect_lang = detect_lang
        self.batch_size, self.flush_seconds, self.cursor_seconds = (
            batch_size,
            flush_seconds,
            cursor_seconds,
        )
        self.quiet_seconds = min(quiet_seconds, flush_seconds)
        self.shutdown_grace = shutdown_grace
        self.backoff = backoff or Backoff(clock=clock)
        #: Waits between tries of a batch write while the database is away.
        self.store_backoff = store_backoff or Backoff(base=0.5, cap=5.0, clock=clock)
        self.on_error = on_error
        self.stop_event = stop_event or threading.Event()
        self._sleep = sleep
        self.clock = clock
        self.stats = LoopStats(source.name, started_at=clock.now())
        self._seen = SeenIds(seen_size)
        self._deleted = SeenIds(seen_size)
        self._queue: queue.Queue[object] = queue.Queue(maxsize=batch_size * 4)
        self._batch: list[MentionRecord] = []
        self._edits: list[MentionRecord] = []
        self._position: str | None = None
        self._position_dirty = False

    # -- control ---------------------------------------------------------------------------
    def stop(self) -> None:
        """Ask the loop to finish: the reader is unblocked, the batch will be flushed."""
        self.stop_event.set()
        try:
            self.source.close()
        except Exception:  # closing a dead connection must not hide the shutdown
            log.debug("%s: close failed", self.source.name, exc_info=True)

    def wait(self, seconds: float) -> None:
        """Sleep ``seconds`` unless stopped first (tests replace this via ``sleep``)."""
        if self._sleep is not None:
            self._sleep(seconds)
        else:
            self.stop_event.wait(seconds)

    def run(self, *, stop_when: Callable[[LoopStats], bool] | None = None) -> LoopStats:
        """Read and store until ``stop()`` (or ``stop_when(stats)`` is true); return the stats."""
        self._position = load_cursor(self.engine, self.source.name)
        reader = threading.Thread(target=self._read, name=f"read-{self.source.name}", daemon=True)
        reader.start()
        first_pending = 0.0
        stopped_at: float | None = None
        last_cursor_save = time.monotonic()
        try:
            while True:
                if stop_when is not None and stop_when(self.stats):
                    self.stop()
                if self._batch or self._edits:
                    due = first_pending + self.flush_seconds - time.monotonic()
                    timeout = max(0.0, min(self.quiet_seconds, due))
                else:
                    timeout = _IDLE_WAIT_S
                quiet = False
                try:
                    item = self._queue.get(timeout=timeout)
                except queue.Empty:
                    item, quiet = None, True
                if item is _END:
                    break
                if isinstance(item, Fetched):
                    if not (self._batch or self._edits):
                        first_pending = time.monotonic()
                    self._accept(item)
                now = time.monotonic()
                pending = len(self._batch) + len(self._edits)
                if (
                    pending >= self.batch_size
                    or (pending and (quiet or now - first_pending >= self.flush_seconds))
                    or (self._position_dirty and now - last_cursor_save >= self.cursor_seconds)
                ):
                    self._flush()
                    last_cursor_save = now
                if self.stop_event.is_set():
                    if stopped_at is None:
                        stopped_at = now
                    reader_done = not reader.is_alive() and self._queue.empty()
                    if reader_done or now - stopped_at > self.shutdown_grace:
                        break
        finally:
            self.stop_event.set()
            self._drain()
            self._flush(final=True)
            reader.join(timeout=5)
            self.stats.running = False
        return self.stats

    # -- reader thread ---------------------------------------------------------------------
    def _read(self) -> None:
        position = self._position
        src = self.source
        try:
            while not self.stop_event.is_set():
                got = False
                try:
                    for item in src.fetch(position):
                        got = True
                        self._put(item)
                        if item.position is not None:
                            position = item.position
                        if self.stop_event.is_set():
                            return
                    if src.poll_interval is not None:
                        self.backoff.reset()
                        self.wait(src.poll_interval)
                        continue
                    if got:  # a stream that delivered and then closed: reconnect promptly
                        self.backoff.reset()
                    self.wait(self.backoff.next_delay())
                except SourceAuthError as exc:
                    self._report(exc)
                    log.error("%s: %s; this source stops", src.name, exc)
                    return
                except Exception as exc:
                    self._report(exc)
                    delay = self.backoff.delay_for(exc)
                    log.warning("%s: %s; retrying in %.1fs", src.name, exc, delay)
                    self.wait(delay)
        finally:
            self._put(_END, force=True)

    def _put(self, item: object, *, force: bool = False) -> None:
        while True:
            try:
                self._queue.put(item, timeout=0.25)
                return
            except queue.Full:
                if self.stop_event.is_set() and not force:
                    return

    def _report(self, exc: BaseException) -> None:
        self.stats.errors += 1
        self.stats.last_error = f"{type(exc).__name__}: {exc}"[:300]
        if self.on_error is not None:
            try:
                self.on_error(self.source.name, exc)
            except Exception:
                log.exception("%s: the error hook failed", self.source.name)

    # -- writer side -----------------------------------------------------------------------
    def _accept(self, item: Fetched) -> None:
        self.stats.received += 1
        if item.problem:
            self.stats.errors += 1
            self.stats.last_error = item.problem[:300]
            log.warning("%s: skipped a frame: %s", self.source.name, item.problem)
        if item.position is not None:
            self._position, self._position_dirty = item.position, True
        record = item.record
        if record is None:
            return
        rid = record.external_id
        if record.deleted:
            self._deleted.add(rid)
            key: object = ("deleted", rid)
        elif rid in self._deleted:
            return  # the deletion overtook the post: never store its text
        elif item.edit:
            key = ("edit", rid, hash(record.text))
        else:
            key = ("new", rid)
        if not self._seen.add(key):
            self.stats.duplicates += 1
            return
        must_match = not (record.deleted or self.source.prefiltered or item.matched_by_platform)
        if must_match and self.matcher is not None and not self.matcher.matches(record):
            return
        if not record.deleted:
            self.stats.matched += 1
            is_brand = self.matcher is not None and self.matcher.is_brand(record.author)
            if is_brand != record.author.is_brand:  # only brand.accounts decide, never the source
                record = record.model_copy(
                    update={"author": record.author.model_copy(update={"is_brand": is_brand})}
                )
            if self.detect_lang:
                record = with_language(record)
        (self._edits if item.edit else self._batch).append(record)

    def _drain(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, Fetched):
                self._accept(item)

    @property
    def _keep_tombstones(self) -> bool:
        return bool(getattr(self.source, "keep_tombstones", True))

    def _write_isolating(self, cursor: tuple[str, str] | None) -> WriteResult:
        """Store a batch the database refused, leaving out only the posts it refuses.

        The good posts go first, split down to the refused ones; the edits and the cursor
        follow in one transaction, so a crash in between re-reads the batch and stores
        nothing twice.
        """
        now = self.clock.now()
        stored, refused = write_isolating(
            self.engine, self._batch, now=now, keep_tombstones=self._keep_tombstones
        )
        for item in refused:
            record = self._batch[item.index]
            log.warning(
                "%s: refused post %s: %s", self.source.name, record.external_id, item.reason
            )
        self.stats.refused += len(refused)
        rest = write_batch(self.engine, [], edits=self._edits, cursor=cursor, now=now)
        return stored + rest

    def _flush(self, *, final: bool = False) -> None:
        if not (self._batch or self._edits or self._position_dirty):
            return
        cursor = (self.source.name, self._position) if self._position is not None else None
        attempts = 0
        isolate = False
        self.store_backoff.reset()
        while True:
            try:
                if isolate:
                    result = self._write_isolating(cursor)
                else:
                    result = write_batch(
                        self.engine,
                        self._batch,
                        edits=self._edits,
                        cursor=cursor,
                        now=self.clock.now(),
                        keep_tombstones=self._keep_tombstones,
                    )
                break
            except RefusedBatch as exc:
                if isolate:  # only the edits are left to refuse: keep the stored text
                    log.warning("%s: edits refused (%s); kept as stored", self.source.name, exc)
                    self._edits = []
                    continue
                log.warning("%s: %s; storing the batch post by post", self.source.name, exc)
                isolate = True
            except StorageError as exc:
                self._report(exc)
                attempts += 1
                if (final or self.stop_event.is_set()) and attempts >= 3:
                    log.error("%s: could not store the last batch: %s", self.source.name, exc)
                    return
                delay = self.store_backoff.delay_for(exc)
                log.warning("%s: %s; retrying the write in %.1fs", self.source.name, exc, delay)
                time.sleep(delay)
        self.stats.stored += result.inserted
        self.stats.duplicates += result.duplicates
        self.stats.deleted += result.deleted
        self.stats.edited += result.edited
        newest = [r.created_at for r in self._batch if not r.deleted]
        if newest:
            latest = max(newest)
            if self.stats.last_created_at is None or latest > self.stats.last_created_at:
                self.stats.last_created_at = latest
        self._batch, self._edits, self._position_dirty = [], [], False
