"""``export_rows``: the one entry point behind ``critic2fan export`` and the board's download."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from core.clock import as_utc
from core.errors import InputError, StorageError
from dashboard.exports.anonymize import Anonymizer, salt_bytes
from dashboard.exports.fields import FORMATS, resolve_fields
from dashboard.exports.prefetch import prefetch
from dashboard.exports.writers import WRITERS
from store.exports import ExportFilter, count_rows, iter_chunks

log = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 20_000


def export_rows(
    engine: Engine,
    *,
    fmt: str,
    out: BinaryIO | Path | str,
    since: datetime | None = None,
    until: datetime | None = None,
    sources: Iterable[str] | None = None,
    fields: Sequence[str] | str | None = None,
    anonymize: bool = False,
    salt: str | bytes | SecretStr | None = None,
    progress: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> int:
    """Stream mentions (with latest score and case stage) to ``out``; return the row count.

    ``since``/``until`` bound ``created_at`` (naive values are taken as UTC; ``until`` is
    exclusive). ``out`` is a path (written to ``<name>.partial`` and renamed when complete, so
    a failed export never leaves a truncated file behind) or an open binary stream, which is
    left open. Memory stays flat: ``chunk_size`` mentions are held at a time.
    """
    fmt = fmt.lower()
    if fmt not in WRITERS:
        raise InputError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if chunk_size < 1:
        raise InputError("chunk_size must be at least 1")
    chosen = resolve_fields(fields)
    anonymizer = Anonymizer(salt_bytes(salt), chosen) if anonymize else None
    flt = ExportFilter(
        since=as_utc(since) if since else None,
        until=as_utc(until) if until else None,
        sources=tuple(sorted({s.strip().lower() for s in sources or () if s.strip()})),
    )
    need = frozenset(f.name for f in chosen)
    with _open_target(out) as stream:
        writer = WRITERS[fmt](stream, chosen, anonymize=anonymize)
        rows = 0
        bar_total: list[int] = []

        def produce() -> Iterator[dict[str, list[Any]]]:
            # one connection, one transaction, in the worker thread: a consistent snapshot
            with engine.connect() as conn:
                if progress:
                    bar_total.append(count_rows(conn, flt))
                for chunk in iter_chunks(conn, flt, chunk_size=chunk_size, need=need):
                    if anonymizer is not None:
                        anonymizer.apply(chunk)
                    yield chunk

        try:
            with _progress_bar(progress) as bar:
                for chunk in prefetch(produce):
                    if bar is not None and bar_total and bar.total is None:
                        bar.total = bar_total[0]
                        bar.refresh()
                    writer.write(chunk)
                    n = len(chunk["mention_id"])
                    rows += n
                    if bar is not None:
                        bar.update(n)
        except OperationalError as exc:
            raise StorageError(f"export failed reading the database: {exc.orig}") from None
        finally:
            writer.close()
    log.info("exported %d mentions as %s", rows, fmt)
    return rows


@contextlib.contextmanager
def _open_target(out: BinaryIO | Path | str) -> Iterator[BinaryIO]:
    if not isinstance(out, str | Path):
        yield out
        return
    path = Path(out)
    partial = path.with_name(path.name + ".partial")
    try:
        handle = partial.open("wb")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with handle:
            yield handle
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _progress_bar(enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    from tqdm import tqdm

    with tqdm(total=None, unit=" mentions", file=sys.stderr, dynamic_ncols=True) as bar:
        yield bar
