"""Import a mentions file into the store in batches, reporting every bad row.

Every row is checked before it is written (``listener.files``), the same way with or without
``dry_run``, so a dry run refuses exactly what an import would. Should the database still
refuse a batch, the batch is split until the refused rows are found
(``store.writer.write_isolating``): they are reported by line like any bad row, and every
other row is stored. Each ``(source, id)`` is stored once, so a rerun stores nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from core.clock import utcnow
from core.config import DEFAULT_MAX_LINE_BYTES
from core.errors import InputError
from core.records import MentionRecord
from listener.files import BadRow, GoodRow, read_import_file
from listener.language import with_language
from listener.matching import NO_BRAND, BrandIdentity
from store.writer import EMPTY_RESULT, WriteResult, write_isolating

log = logging.getLogger(__name__)

BATCH_SIZE = 1_000


@dataclass
class ImportReport:
    """What an import did: rows read, stored, already known, and the bad ones."""

    rows: int = 0
    written: WriteResult = EMPTY_RESULT
    bad: list[BadRow] = field(default_factory=list)
    #: Lines that said ``is_brand`` for an account not in ``brand.accounts`` (stored as ordinary).
    untrusted_brand: list[int] = field(default_factory=list)

    @property
    def good(self) -> int:
        """Rows that passed every check (and, unless a dry run, were stored)."""
        return self.rows - len(self.bad)


def import_file(
    engine: Engine | None,
    path: Path,
    *,
    brand: BrandIdentity = NO_BRAND,
    fmt: str | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    now: datetime | None = None,
    transform: Callable[[MentionRecord], MentionRecord] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Store the good rows of ``path`` (each ``(source, id)`` once); collect the bad ones.

    A row without a language gets the detector's guess and its confidence, as a streamed
    mention does, since the scorer decides from the stored language alone. An author is the
    brand only when it is one of ``brand``'s accounts; a row claiming ``is_brand`` for any
    other is stored as an ordinary author and its line listed in ``untrusted_brand``.

    With ``dry_run`` nothing is written: the file is only checked. ``transform`` may
    adjust each record before it is stored (the demo shifts times with it). A file that
    cannot be read at all raises ``InputError``; the good rows read before a read error
    are stored first.
    """
    now = now or utcnow()
    report = ImportReport()
    batch: list[tuple[int, MentionRecord]] = []

    def flush() -> None:
        if batch and not dry_run and engine is not None:
            # the scorer reads the stored language
            records = [with_language(record) for _, record in batch]
            written, refused = write_isolating(engine, records, now=now)
            report.written = report.written + written
            for refusal in refused:
                line = batch[refusal.index][0]
                report.bad.append(BadRow(line, f"refused by the database: {refusal.reason}"))
        batch.clear()

    rows = read_import_file(path, brand=brand, fmt=fmt, max_line_bytes=max_line_bytes, now=now)
    try:
        for row in rows:
            report.rows += 1
            if isinstance(row, GoodRow):
                if row.untrusted_brand:
                    report.untrusted_brand.append(row.line)
                batch.append((row.line, transform(row.record) if transform else row.record))
                if len(batch) >= batch_size:
                    flush()
            else:
                report.bad.append(row)
            if on_progress is not None:
                on_progress(1)
    except InputError:
        flush()  # what was read before the file failed is good
        raise
    flush()
    report.bad.sort(key=lambda bad: bad.line)
    log.info("imported %s: %d rows, %d bad", path, report.rows, len(report.bad))
    return report
