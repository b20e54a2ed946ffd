"""Split a line-based file into rows with bounded memory: read in chunks, never a whole line.

A JSONL row ends at a newline; a CSV row ends at a newline outside a quoted field (the
``excel`` dialect of the ``csv`` module: a quote opens a field only at its start, ``""`` is a
quote inside one). A row longer than the limit is not kept: its bytes are skipped as they
stream past, and it is yielded as an :class:`Oversized` row with the line it started on, so
a 1 GB file without a newline costs no more memory than the limit and one chunk.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

#: Bytes read at a time.
CHUNK_BYTES = 64 * 1024

_NL, _QUOTE, _COMMA = ord("\n"), ord('"'), ord(",")


@dataclass(frozen=True)
class Row:
    """One row's bytes (its ending newline dropped) and the line it starts on (from 1)."""

    line: int
    data: bytes
    #: True when the file ended inside a quoted CSV field (an unclosed quote).
    open_quote: bool = False


@dataclass(frozen=True)
class Oversized:
    """A row longer than the limit: skipped, only where it started and how long it was."""

    line: int
    size: int
    #: True when the file ended inside a quoted CSV field (an unclosed quote).
    open_quote: bool = False


class _Ends(Protocol):
    def find_end(self, chunk: bytes, pos: int) -> int:
        """Index of the newline that ends the current row in ``chunk[pos:]``, else -1."""

    @property
    def in_quotes(self) -> bool:
        """True while inside a quoted field."""


class _LineEnds:
    in_quotes = False

    def find_end(self, chunk: bytes, pos: int) -> int:
        return chunk.find(b"\n", pos)


_START, _UNQUOTED, _QUOTED, _QUOTE_IN_QUOTED = range(4)
_UNQUOTED_EVENT = re.compile(rb'\n|,"')
_QUOTED_RUN = re.compile(rb'(?:[^"]+|"")*')  # a quoted field's bytes, up to its closing quote


class _CsvEnds:
    """The ``csv`` module's own states, reduced to what decides where a row ends."""

    def __init__(self) -> None:
        self.state = _START

    @property
    def in_quotes(self) -> bool:
        return self.state == _QUOTED

    def find_end(self, chunk: bytes, pos: int) -> int:
        i, n = pos, len(chunk)
        while i < n:
            if self.state == _START:  # a field's first byte: only here a quote opens one
                if chunk[i] == _QUOTE:
                    self.state, i = _QUOTED, i + 1
                else:
                    self.state = _UNQUOTED
            elif self.state == _UNQUOTED:
                found = _UNQUOTED_EVENT.search(chunk, i)
                if found is None:
                    self.state = _START if chunk[n - 1] == _COMMA else _UNQUOTED
                    return -1
                if found.start() == found.end() - 1:  # the newline
                    self.state = _START
                    return found.start()
                self.state, i = _QUOTED, found.end()
            elif self.state == _QUOTED:
                quote = _QUOTED_RUN.match(chunk, i).end()  # type: ignore[union-attr]
                if quote == n:
                    return -1
                self.state, i = _QUOTE_IN_QUOTED, quote + 1
            else:  # just after a quote inside a quoted field
                byte = chunk[i]
                if byte == _QUOTE:  # "" is a quote in the field
                    self.state, i = _QUOTED, i + 1
                elif byte == _COMMA:
                    self.state, i = _START, i + 1
                elif byte == _NL:
                    self.state = _START
                    return i
                else:
                    self.state = _UNQUOTED
        return -1


def jsonl_rows(handle: BinaryIO, *, limit: int) -> Iterator[Row | Oversized]:
    """The lines of ``handle``, each at most ``limit`` bytes (longer ones skipped)."""
    return _rows(handle, limit, _LineEnds())


def csv_rows(handle: BinaryIO, *, limit: int) -> Iterator[Row | Oversized]:
    """The CSV rows of ``handle`` (quoted fields may span lines), each at most ``limit`` bytes."""
    return _rows(handle, limit, _CsvEnds())


def _rows(
    handle: BinaryIO, limit: int, ends: _Ends, chunk_bytes: int = CHUNK_BYTES
) -> Iterator[Row | Oversized]:
    line = 1  # where the current row starts
    newlines = 0  # newlines inside the current row so far (quoted CSV fields)
    parts: list[bytes] = []
    size = 0
    over = False
    while chunk := handle.read(chunk_bytes):
        pos = 0
        while pos < len(chunk):
            end = ends.find_end(chunk, pos)
            stop = len(chunk) if end < 0 else end
            size += stop - pos
            if not over:
                if size > limit:
                    over, parts = True, []
                else:
                    parts.append(chunk[pos:stop])
            newlines += chunk.count(b"\n", pos, stop)
            if end < 0:
                break
            yield Oversized(line, size) if over else Row(line, b"".join(parts))
            line += newlines + 1
            newlines, parts, size, over = 0, [], 0, False
            pos = end + 1
    if size or parts:
        if over:
            yield Oversized(line, size, open_quote=ends.in_quotes)
        else:
            yield Row(line, b"".join(parts), open_quote=ends.in_quotes)
