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

from core.clock import as_utc
from core.errors import InputError, StorageError
from dashboard.exports.anonymize import Anonymizer, salt_bytes
from dashboard.exports.conform import conform
from dashboard.exports.datasets import dataset as find_dataset
from dashboard.exports.fields import FORMATS, resolve_fields
from dashboard.exports.prefetch import prefetch
from dashboard.exports.writers import WRITERS
from store.arrow_reads import arrow_reads
from store.exports import ExportFilter, PageRead, count_rows, iter_page_reads

log = logging.getLogger(__name__)

#: Rows per page: about 7 MB of Arrow for mentions, four pages in flight at most. Larger pages
#: are no faster and cost memory (the SQLite driver's buffers grow with them).
DEFAULT_CHUNK_SIZE = 25_000


def export_rows(
    engine: Engine,
    *,
    fmt: str,
    out: BinaryIO | Path | str,
    dataset: str = "mentions",
    since: datetime | None = None,
    until: datetime | None = None,
    sources: Iterable[str] | None = None,
    fields: Sequence[str] | str | None = None,
    anonymize: bool = False,
    salt: str | bytes | SecretStr | None = None,
    progress: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    native: bool = True,
) -> int:
    """Stream one dataset (``mentions`` by default, see ``DATASETS``) to ``out``; return the row
    count.

    ``since``/``until`` bound the dataset's time column (naive values are taken as UTC;
    ``until`` is exclusive). ``out`` is a path (written to ``<name>.partial`` and renamed when
    complete, so a failed export never leaves a truncated file behind) or an open binary
    stream, which is left open. Memory stays flat: ``chunk_size`` rows are read at a time.
    ``native=False`` reads through SQLAlchemy even where the ADBC driver is installed.
    """
    fmt = fmt.lower()
    if fmt not in WRITERS:
        raise InputError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if chunk_size < 1:
        raise InputError("chunk_size must be at least 1")
    chosen_set = find_dataset(dataset)
    chosen = resolve_fields(fields, chosen_set.fields)
    anonymizer = Anonymizer(salt_bytes(salt), chosen) if anonymize else None
    flt = ExportFilter(
        since=as_utc(since) if since else None,
        until=as_utc(until) if until else None,
        sources=tuple(sorted({s.strip().lower() for s in sources or () if s.strip()})),
    )
    need = frozenset(f.name for f in chosen)
    compute = chosen_set.compute
    query = chosen_set.query if compute is None else None
    if flt.sources and (query is None or query.origin is None):
        raise InputError(f"{chosen_set.noun} have no source to filter by; leave sources out")
    with _open_target(out) as stream:
        writer = WRITERS[fmt](stream, chosen, anonymize=anonymize)
        rows = 0
        bar_total: list[int] = []

        def produce() -> Iterator[PageRead]:
            if query is None:  # a computed dataset: one page
                assert compute is not None
                page = compute(engine, flt)
                bar_total.append(page.num_rows)
                yield PageRead(page)
                return
            # one connection, one transaction, in the worker thread: a consistent snapshot
            with arrow_reads(engine, native=native, batch_rows=chunk_size) as reads:
                log.debug("exporting %s through %s", chosen_set.name, reads.kind)
                if progress:
                    bar_total.append(count_rows(reads, query, flt))
                yield from iter_page_reads(reads, query, flt, page_size=chunk_size, need=need)

        try:
            with _progress_bar(progress, chosen_set.noun) as bar:
                # the worker thread reads; this one assembles, casts and writes
                for read in prefetch(produce):
                    if bar is not None and bar_total and bar.total is None:
                        bar.total = bar_total[0]
                        bar.refresh()
                    page = conform(read.assemble(), chosen)
                    if anonymizer is not None:
                        page = anonymizer.apply(page)
                    writer.write(page)
                    rows += page.num_rows
                    if bar is not None:
                        bar.update(page.num_rows)
        except StorageError as exc:
            raise StorageError(f"export failed: {exc}") from None
        finally:
            writer.close()
    log.info("exported %d %s as %s", rows, chosen_set.noun, fmt)
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
def _progress_bar(enabled: bool, noun: str) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    from tqdm import tqdm

    with tqdm(total=None, unit=f" {noun}", file=sys.stderr, dynamic_ncols=True) as bar:
        yield bar
