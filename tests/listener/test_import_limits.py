"""Hostile import files: each bad row is named by line, every good row is stored, on both
databases alike, and a dry run refuses exactly what an import refuses."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from listener import files as files_module
from listener.files import BadRow
from listener.importer import import_file
from tests.listener.conftest import stored

NOW = datetime(2026, 12, 1, tzinfo=UTC)
HEADER = "source,id,author,text,created_at,followers,lang,author_name\n"


def _good(i: int) -> str:
    return f'x,{i},user{i},"brightloop {i}",2026-11-01T10:00:00Z,10,en,User {i}\n'


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# (row, the reason it is refused), each written between two good rows
HOSTILE_CSV_ROWS = [
    ("x,h1,a\x00b,t,2026-11-01T10:00:00Z,,,\n", "author: contains a NUL character"),
    ("x,h2,ann,t,2026-11-01T10:00:00Z,,,N\x00N\n", "author_name: contains a NUL character"),
    ("x,h3,ann,t,2026-11-01T10:00:00Z,,e\x00n,\n", "lang: contains a NUL character"),
    (f"x,h4,{'h' * 300},t,2026-11-01T10:00:00Z,,,\n", "author: longer than 255 characters (300)"),
    (
        f"x,h5,ann,t,2026-11-01T10:00:00Z,,{'l' * 27},\n",
        "lang: longer than 16 characters (27)",
    ),
    (f"x,{'9' * 600},ann,t,2026-11-01T10:00:00Z,,,\n", "id: longer than 512 characters (600)"),
    (
        "x,h7,ann,t,2026-11-01T10:00:00Z,99999999999999999999,,\n",
        "followers: 99999999999999999999 is larger than the database stores (2147483647)",
    ),
    (
        "x,h8,ann,t,0001-01-01T00:00:00+05:00,,,\n",
        "created_at: 0001-01-01T00:00:00+05:00 is out of range",
    ),
    (
        "x,h9,ann,t,1999-12-31T00:00:00Z,,,\n",
        "created_at: 1999-12-31T00:00:00+00:00 is before 2005-01-01, older than any platform",
    ),
    (
        "x,h10,ann,t,2026-12-03T00:00:00Z,,,\n",
        "created_at: 2026-12-03T00:00:00+00:00 is more than a day in the future",
    ),
    ("x,h11,ann,t,9999-12-31T23:59:59-05:00,,,\n", "created_at: 9999-12-31T23:59:59-05:00 is"),
]


@pytest.fixture
def hostile_csv(tmp_path: Path) -> Path:
    lines = [HEADER, _good(0)]
    for i, (row, _) in enumerate(HOSTILE_CSV_ROWS, start=1):
        lines += [row, _good(i)]
    return _write(tmp_path, "hostile.csv", "".join(lines))


def _bad(report_bad: list[BadRow]) -> list[tuple[int, str]]:
    return [(b.line, b.reason) for b in report_bad]


def test_import__hostile_values_are_refused_alike_and_good_rows_stored(
    any_engine: Engine, hostile_csv: Path
) -> None:
    report = import_file(any_engine, hostile_csv, now=NOW)

    expected_lines = [3 + 2 * i for i in range(len(HOSTILE_CSV_ROWS))]
    assert [b.line for b in report.bad] == expected_lines
    for bad, (_, reason) in zip(report.bad, HOSTILE_CSV_ROWS, strict=True):
        assert bad.reason.startswith(reason), bad
    assert sorted(stored(any_engine)) == sorted(str(i) for i in range(len(HOSTILE_CSV_ROWS) + 1))
    assert report.written.inserted == len(HOSTILE_CSV_ROWS) + 1


def test_import__a_dry_run_refuses_exactly_what_an_import_refuses(
    any_engine: Engine, hostile_csv: Path
) -> None:
    dry = import_file(None, hostile_csv, dry_run=True, now=NOW)
    real = import_file(any_engine, hostile_csv, now=NOW)

    assert _bad(dry.bad) == _bad(real.bad)
    assert len(dry.bad) == len(HOSTILE_CSV_ROWS)


def test_import__a_bad_date_after_a_full_batch_stops_nothing(
    any_engine: Engine, tmp_path: Path
) -> None:
    rows = [_good(i) for i in range(1500)]
    rows.append("x,bad,ann,t,0001-01-01T00:00:00+05:00,,,\n")
    rows += [_good(i) for i in range(2000, 2010)]
    path = _write(tmp_path, "m.csv", HEADER + "".join(rows))

    first = import_file(any_engine, path, now=NOW)
    again = import_file(any_engine, path, now=NOW)

    assert _bad(first.bad) == [(1502, "created_at: 0001-01-01T00:00:00+05:00 is out of range")]
    assert first.written.inserted == 1510
    assert len(stored(any_engine)) == 1510
    assert (again.written.inserted, again.written.duplicates) == (0, 1510)


def test_import__a_row_the_database_refuses_is_found_and_the_rest_stored(
    any_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # with the column check off, the database itself refuses the row (SQLite: a 64-bit
    # overflow in the driver; PostgreSQL: integer out of range) and its batch is split
    monkeypatch.setattr(files_module, "refusal", lambda record: None)
    rows = [_good(i) for i in range(120)]
    rows.insert(77, "x,huge,ann,t,2026-11-01T10:00:00Z,99999999999999999999,,\n")
    path = _write(tmp_path, "m.csv", HEADER + "".join(rows))

    report = import_file(any_engine, path, batch_size=50, now=NOW)

    assert [b.line for b in report.bad] == [79]
    assert report.bad[0].reason.startswith("refused by the database: ")
    assert "huge" not in stored(any_engine)
    assert len(stored(any_engine)) == 120


def test_import__a_csv_field_over_10_mib_is_skipped(engine: Engine, tmp_path: Path) -> None:
    big = "a" * (11 * 1024 * 1024)
    text = HEADER + _good(1) + f'x,2,ann,"{big}",2026-11-01T10:00:00Z,,,\n' + _good(3)
    path = _write(tmp_path, "m.csv", text)

    report = import_file(engine, path, now=NOW)

    assert [b.line for b in report.bad] == [3]
    assert "longer than the 1,048,576-byte row limit" in report.bad[0].reason
    assert sorted(stored(engine)) == ["1", "3"]


def test_import__the_row_limit_is_a_parameter(engine: Engine, tmp_path: Path) -> None:
    text = HEADER + _good(1) + f'x,2,ann,"{"b" * 3000}",2026-11-01T10:00:00Z,,,\n' + _good(3)
    path = _write(tmp_path, "m.csv", text)

    report = import_file(engine, path, max_line_bytes=2048, now=NOW)

    assert [b.line for b in report.bad] == [3]
    assert sorted(stored(engine)) == ["1", "3"]


def test_import__invalid_utf8_is_named_by_line_never_replaced(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(
        HEADER.encode()
        + _good(1).encode()
        + b'x,2,ann,"two\nlines \xff here",2026-11-01T10:00:00Z,,,\n'
        + _good(3).encode()
    )

    report = import_file(engine, path, now=NOW)

    assert _bad(report.bad) == [(4, "not valid UTF-8 (byte 0xff at byte 7 of the line)")]
    assert sorted(stored(engine)) == ["1", "3"]


JSONL_CASES = [
    (b"[" * 200_000, "not valid JSON (nested too deeply)"),
    (b'{"a": ' * 40 + b"1" + b"}" * 40, "nested deeper than 32 levels"),
    (
        b'{"source": "x", "id": "u", "author": "a\xc3", "text": "t", "created_at": "2026-11-01"}',
        "not valid UTF-8 (byte 0xc3 at byte 40 of the line)",
    ),
    (
        b'{"source": "x", "id": "s", "author": "\\ud800", "text": "t", "created_at": "2026-11-01"}',
        "author: contains a lone surrogate (\\ud800)",
    ),
    (
        b'{"source": "x", "id": "n", "author": "a", "text": "t", "created_at": "2026-11-01", '
        b'"score": NaN}',
        "extra columns: holds nan, which JSON cannot store",
    ),
    (
        b'{"source": "x", "id": "big", "author": "a", "text": "t", "created_at": "2026-11-01", '
        b'"followers": 1' + b"0" * 5000 + b"}",
        "not valid JSON (a number too long to read)",
    ),
    (
        b'{"source": "x", "id": "f", "author": "a", "text": "t", "created_at": "2026-11-01", '
        b'"followers": 1e400}',
        "followers: not a whole number: 'inf'",
    ),
]


def test_import__hostile_jsonl_lines_are_reported_and_the_rest_stored(
    any_engine: Engine, tmp_path: Path
) -> None:
    good = b'{"source": "x", "id": "%d", "author": "a", "text": "t", "created_at": "2026-11-01"}'
    lines = [good % 0]
    for i, (line, _) in enumerate(JSONL_CASES, start=1):
        lines += [line, good % i]
    path = tmp_path / "m.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    report = import_file(any_engine, path, now=NOW)

    assert _bad(report.bad) == [(2 + 2 * i, reason) for i, (_, reason) in enumerate(JSONL_CASES)]
    assert len(stored(any_engine)) == len(JSONL_CASES) + 1


def test_import__extra_columns_with_nul_and_deep_but_allowed_nesting_are_stored(
    any_engine: Engine, tmp_path: Path
) -> None:
    row = {
        "source": "x",
        "id": "1",
        "author": "a",
        "text": "t\x00ext",
        "created_at": "2026-11-01",
        "note": "a\x00b",
        "tree": json.loads('{"a": ' * 20 + "1" + "}" * 20),
    }
    path = _write(tmp_path, "m.jsonl", json.dumps(row) + "\n")

    report = import_file(any_engine, path, now=NOW)

    assert report.bad == []
    mention = stored(any_engine)["1"]
    assert mention.text == "text"
    assert mention.raw is not None and mention.raw["import"]["note"] == "a\x00b"


def _reddit(path: Path, payload: object) -> Path:
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def _comment(cid: str, created: object, body: str = "brightloop") -> dict[str, object]:
    return {
        "kind": "t1",
        "data": {
            "id": cid,
            "name": f"t1_{cid}",
            "body": body,
            "author": "bob",
            "created_utc": created,
        },
    }


def test_reddit_json__an_out_of_range_time_is_one_bad_entry(engine: Engine, tmp_path: Path) -> None:
    listing = {
        "kind": "Listing",
        "data": {"children": [_comment("a", 1e300), _comment("b", 1767225600)]},
    }
    path = _reddit(tmp_path / "r.json", listing)

    report = import_file(engine, path, now=NOW)

    assert _bad(report.bad) == [(1, "created_utc: 1e+300 is out of range")]
    assert list(stored(engine)) == ["t1_b"]


def test_reddit_json__a_listing_without_children_is_one_clear_error(tmp_path: Path) -> None:
    from core.errors import InputError

    path = _reddit(tmp_path / "r.json", {"kind": "Listing", "data": []})

    with pytest.raises(InputError, match="not a Reddit listing"):
        import_file(None, path, dry_run=True, now=NOW)


def test_reddit_json__invalid_utf8_refuses_its_entry_only(engine: Engine, tmp_path: Path) -> None:
    listing = {
        "kind": "Listing",
        "data": {"children": [_comment("a", 1767225600, "BAD"), _comment("b", 1767225600)]},
    }
    path = tmp_path / "r.json"
    path.write_bytes(
        json.dumps(listing).replace("BAD", "bad \udcff").encode("utf-8", "surrogateescape")
    )

    report = import_file(engine, path, now=NOW)

    assert _bad(report.bad) == [(1, "text: not valid UTF-8")]
    assert list(stored(engine)) == ["t1_b"]


def test_reddit_json__deep_nesting_is_one_clear_error(tmp_path: Path) -> None:
    from core.errors import InputError

    path = tmp_path / "r.json"
    path.write_text('{"kind": "Listing", "data": ' + "[" * 200_000, encoding="utf-8")

    with pytest.raises(InputError, match="nested too deeply"):
        import_file(None, path, fmt="reddit-json", dry_run=True, now=NOW)


MEMORY_PROBE = textwrap.dedent(
    """
    import resource, sys
    from pathlib import Path
    from listener.importer import import_file

    def peak_mib():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    import_file(None, Path(sys.argv[1]), dry_run=True, max_line_bytes=1 << 20)  # warm up
    before = peak_mib()
    report = import_file(None, Path(sys.argv[2]), dry_run=True, max_line_bytes=1 << 20)
    print(peak_mib() - before, report.rows, len(report.bad), report.bad[-1].reason)
    """
)


@pytest.mark.parametrize("name", ["huge.jsonl", "huge.csv"])
def test_import__a_50_mib_line_without_newline_keeps_memory_bounded(
    tmp_path: Path, name: str
) -> None:
    warm = _write(tmp_path, "warm" + Path(name).suffix, HEADER + _good(1))
    path = tmp_path / name
    with path.open("wb") as handle:
        handle.write((HEADER + _good(1)).encode())
        handle.write(b'x,2,ann,"')
        block = b"z" * (1 << 20)
        for _ in range(50):
            handle.write(block)

    probe = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(warm), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )

    growth, rows, bad, reason = probe.stdout.split(maxsplit=3)
    assert "longer than the 1,048,576-byte row limit" in reason
    assert int(bad) >= 1
    assert float(growth) < 20, f"peak memory grew by {growth} MiB reading a 50 MiB line"
