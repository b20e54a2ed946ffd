"""Import a mentions file into the store in batches, reporting every bad row."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from core.records import MentionRecord
from listener.files import BadRow, GoodRow, read_import_file
from listener.language import with_language
from store.writer import EMPTY_RESULT, WriteResult, write_batch

log = logging.getLogger(__name__)

BATCH_SIZE = 1_000


@dataclass
class ImportReport:
    """What an import did: rows read, stored, already known, and the bad ones."""

    rows: int = 0
    written: WriteResult = EMPTY_RESULT
    bad: list[BadRow] = field(default_factory=list)

    @property
    def good(self) -> int:
        """Rows that parsed."""
        return self.rows - len(self.bad)


def import_file(
    engine: Engine | None,
    path: Path,
    *,
    brand_handles: frozenset[str] = frozenset(),
    fmt: str | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    transform: Callable[[MentionRecord], MentionRecord] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Store the good rows of ``path`` (each ``(source, id)`` once); collect the bad ones.

    A row without a language gets the detector's guess and its confidence, as a streamed
    mention does, since the scorer decides from the stored language alone.

    With ``dry_run`` nothing is written: the file is only validated. ``transform`` may
    adjust each record before it is stored (the demo shifts times with it).
    """
    report = ImportReport()
    batch: list[MentionRecord] = []

    def flush() -> None:
        if batch and not dry_run and engine is not None:
            records = [with_language(r) for r in batch]  # the scorer reads the stored language
            report.written = report.written + write_batch(engine, records)
        batch.clear()

    for row in read_import_file(path, brand_handles=brand_handles, fmt=fmt):
        report.rows += 1
        if isinstance(row, GoodRow):
            batch.append(transform(row.record) if transform else row.record)
            if len(batch) >= batch_size:
                flush()
        else:
            report.bad.append(row)
        if on_progress is not None:
            on_progress(1)
    flush()
    log.info("imported %s: %d rows, %d bad", path, report.rows, len(report.bad))
    return report
