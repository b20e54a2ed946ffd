"""Rows split from chunks: the csv module's row ends, line numbers, long rows skipped, not held."""

from __future__ import annotations

import csv
import io
import random

import pytest

from listener import splitter
from listener.splitter import Oversized, Row, csv_rows, jsonl_rows


def _split_csv(data: bytes, *, limit: int = 10**6, chunk: int = 7) -> list[Row | Oversized]:
    return list(splitter._rows(io.BytesIO(data), limit, splitter._CsvEnds(), chunk))


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64])
def test_csv_rows__end_where_the_csv_module_ends_them(chunk: int) -> None:
    pieces = ["a", ",", '"', "\n", "\r\n", "é", " ", '""']
    rng = random.Random(18)
    checked = 0
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        try:
            expected = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error:
            continue
        got: list[list[str]] = []
        for row in _split_csv(text.encode(), chunk=chunk):
            assert isinstance(row, Row)
            got.extend(list(csv.reader([row.data.decode()])) if row.data else [[]])
        assert got == expected, repr(text)
        checked += 1
    assert checked > 1000


def test_csv_rows__number_each_row_by_its_first_line() -> None:
    data = b'h1,h2\na,"two\nlines"\n\nb,"x"\r\nc,"""quoted"""\n'

    rows = _split_csv(data)

    assert [(r.line, r.data) for r in rows if isinstance(r, Row)] == [
        (1, b"h1,h2"),
        (2, b'a,"two\nlines"'),
        (4, b""),
        (5, b'b,"x"\r'),
        (6, b'c,"""quoted"""'),
    ]


def test_csv_rows__a_quote_inside_an_unquoted_field_is_text() -> None:
    rows = _split_csv(b'a,5" screen,b\nnext,row\n')

    assert [r.data for r in rows if isinstance(r, Row)] == [b'a,5" screen,b', b"next,row"]


def test_rows__longer_than_the_limit_are_skipped_and_the_next_row_found() -> None:
    data = b'x,"' + b"y\n" * 500 + b'",z\nafter,row\n'

    rows = _split_csv(data, limit=100, chunk=16)

    assert rows == [
        Oversized(line=1, size=len(data) - len(b"\nafter,row\n")),
        Row(502, b"after,row"),
    ]


def test_rows__an_unclosed_quote_is_flagged_at_the_end_of_the_file() -> None:
    rows = list(csv_rows(io.BytesIO(b'a,"open\nstill open\n'), limit=1000))

    assert rows == [Row(1, b'a,"open\nstill open\n', open_quote=True)]


def test_jsonl_rows__split_at_every_newline_and_keep_a_last_line_without_one() -> None:
    rows = list(jsonl_rows(io.BytesIO(b'{"a": "x\\ny"}\n\n{"b": 1}'), limit=1000))

    assert rows == [Row(1, b'{"a": "x\\ny"}'), Row(2, b""), Row(3, b'{"b": 1}')]


class _CountingReader(io.RawIOBase):
    """A file of ``size`` bytes without a newline, read without ever existing whole."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.largest_read = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        self.largest_read = max(self.largest_read, n)
        self.left -= n
        return b"x" * n


def test_rows__a_line_without_end_is_read_in_chunks_and_never_kept() -> None:
    source = _CountingReader(20 * 1024 * 1024)

    rows = list(jsonl_rows(source, limit=1024))  # type: ignore[arg-type]

    assert rows == [Oversized(line=1, size=20 * 1024 * 1024)]
    assert source.largest_read <= splitter.CHUNK_BYTES
