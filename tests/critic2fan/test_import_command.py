"""``critic2fan import``: good rows stored once, bad rows named by line, exit code says so."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from store.models import Author, Mention
from tests.cli_helpers import run_cli

CSV_TEXT = (
    "source,id,author,text,created_at,followers,lang\n"
    'x,100,alice,"@brightloop my bill doubled 😡",2026-11-01T10:00:00Z,10,en\n'
    'x,100,alice,"same id again",2026-11-01T10:05:00Z,10,en\n'
    "x,101,bob,no time,yesterday,,\n"
    'myspace,102,carol,"unknown source",2026-11-01T10:00:00Z,,\n'
    'x,103,,"no author",2026-11-01T10:00:00Z,,\n'
    'reddit,t1_abc,dave,"multi\nline ‏שלום‏ zero\u200bwidth",2026-11-01T12:00:00+02:00,,he\n'
    'x,104,erin,"negative followers",2026-11-01T10:00:00Z,-5,\n'
    'bluesky,at://did:plc:x/app.bsky.feed.post/1,brightloop,"On it!",2026-11-01T11:00:00Z,,\n'
)


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "mentions.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    return path


def _mentions(db_url: str) -> list[Mention]:
    from store.engine import make_engine

    with Session(make_engine(db_url)) as session:
        return list(session.exec(select(Mention).order_by(Mention.id)).scalars())


def test_import__stores_good_unique_rows_and_names_bad_lines(csv_file: Path, db_url: str) -> None:
    result = run_cli("--db", db_url, "import", str(csv_file))

    assert result.code == 1
    stored = _mentions(db_url)
    assert [(m.source, m.external_id) for m in stored] == [
        ("x", "100"),
        ("reddit", "t1_abc"),
        ("bluesky", "at://did:plc:x/app.bsky.feed.post/1"),
    ]
    assert stored[0].text == "@brightloop my bill doubled 😡"
    assert "\u200b" in stored[1].text and "\n" in stored[1].text
    assert stored[1].created_at.isoformat() == "2026-11-01T10:00:00+00:00"
    bad_lines = sorted(int(line.split(":")[1]) for line in result.err.strip().splitlines())
    assert bad_lines == [4, 5, 6, 9]
    assert "created_at" in result.err and "unknown source" in result.err
    assert "missing author" in result.err and "negative" in result.err


def test_import__twice_stores_nothing_new(csv_file: Path, db_url: str) -> None:
    run_cli("--db", db_url, "import", str(csv_file))
    second = run_cli("--db", db_url, "import", str(csv_file))

    assert "0 new" in second.out
    assert len(_mentions(db_url)) == 3


def test_import__brand_handle_marks_author_as_brand(csv_file: Path, db_url: str) -> None:
    from store.engine import make_engine

    run_cli("--db", db_url, "import", str(csv_file))
    with Session(make_engine(db_url)) as session:
        brand = session.exec(select(Author).where(Author.handle == "brightloop")).scalar_one()
        alice = session.exec(select(Author).where(Author.handle == "alice")).scalar_one()
    assert brand.is_brand is True
    assert alice.is_brand is False and alice.followers == 10


def test_import__clean_jsonl_exits_zero(tmp_path: Path, db_url: str) -> None:
    path = tmp_path / "m.jsonl"
    rows = [
        {
            "source": "mastodon",
            "id": 1234,
            "author": "@zoe",
            "text": "",
            "created_at": "2026-11-02",
        },
        {
            "source": "x",
            "id": "9",
            "author": "yan",
            "text": "ok",
            "created_at": "2026-11-02T01:00Z",
        },
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")

    result = run_cli("--db", db_url, "import", str(path))

    assert result.code == 0, result.err
    stored = _mentions(db_url)
    assert [m.external_id for m in stored] == ["1234", "9"]
    assert stored[0].text == ""


def test_import__malformed_json_line_is_reported(tmp_path: Path, db_url: str) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(
        '{"source": "x", "id": "1", "author": "a", "text": "t", "created_at": "2026-11-02"}\n'
        '{"source": "x", "id": \n'
        '["not", "an", "object"]\n',
        encoding="utf-8",
    )

    result = run_cli("--db", db_url, "import", str(path))

    assert result.code == 1
    assert ":2: not valid JSON" in result.err
    assert ":3: expected a JSON object" in result.err
    assert len(_mentions(db_url)) == 1


def test_import__dry_run_stores_nothing(csv_file: Path, db_url: str) -> None:
    result = run_cli("--db", db_url, "import", "--dry-run", str(csv_file))

    assert result.code == 1
    assert "7 valid" not in result.out and "4 bad" in result.out
    from store.engine import make_engine
    from store.migrate import current_revision

    assert current_revision(make_engine(db_url)) is None


def test_import__missing_header_column_is_one_clear_error(tmp_path: Path, db_url: str) -> None:
    path = tmp_path / "m.csv"
    path.write_text("source,id,text\nx,1,hi\n", encoding="utf-8")

    result = run_cli("--db", db_url, "import", str(path))

    assert result.code != 0
    assert "header lacks author, created_at" in result.err
    assert "Traceback" not in result.err


def test_import__an_unreadable_file_is_one_line_and_exit_2(
    csv_file: Path, tmp_path: Path, db_url: str
) -> None:
    missing = tmp_path / "missing.csv"
    folder = tmp_path / "folder.csv"
    folder.mkdir()

    result = run_cli("--db", db_url, "import", str(missing), str(folder), str(csv_file))

    assert result.code == 2
    assert f"{missing}: no such file\n" in result.err
    assert f"{folder}: is a folder, not a file\n" in result.err
    assert "Traceback" not in result.err
    assert len(_mentions(db_url)) == 3  # the readable file is still imported


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_import__a_file_without_read_permission_is_exit_2(csv_file: Path, db_url: str) -> None:
    csv_file.chmod(0)

    result = run_cli("--db", db_url, "import", str(csv_file))

    assert result.code == 2
    assert result.err == f"{csv_file}: cannot be read: permission denied\n"


HOSTILE = (
    "source,id,author,text,created_at,followers,lang\n"
    "x,1,ann,ok,2026-11-01T10:00:00Z,,\n"
    "x,2,a\x00b,nul,2026-11-01T10:00:00Z,,\n"
    "x,3,ann,ok,2026-11-01T10:00:00Z,99999999999999999999,\n"
    f"x,4,{'h' * 300},long,2026-11-01T10:00:00Z,,\n"
    f"x,5,ann,lang,2026-11-01T10:00:00Z,,{'l' * 27}\n"
    "x,6,ann,old,0001-01-01T00:00:00+05:00,,\n"
    "x,7,ann,ok,2026-11-01T10:00:00Z,,en\n"
)


def test_import__refused_rows_are_file_line_reason_and_a_dry_run_says_the_same(
    tmp_path: Path, db_url: str
) -> None:
    path = tmp_path / "hostile.csv"
    path.write_text(HOSTILE, encoding="utf-8")

    dry = run_cli("--db", db_url, "import", "--dry-run", str(path))
    real = run_cli("--db", db_url, "import", str(path))

    assert dry.err == real.err
    assert real.err.splitlines() == [
        f"{path}:3: author: contains a NUL character",
        f"{path}:4: followers: 99999999999999999999 is larger than the database stores "
        "(2147483647)",
        f"{path}:5: author: longer than 255 characters (300)",
        f"{path}:6: lang: longer than 16 characters (27)",
        f"{path}:7: created_at: 0001-01-01T00:00:00+05:00 is out of range",
    ]
    assert (dry.code, real.code) == (1, 1)
    assert "7 rows, 2 valid, 5 bad" in dry.out
    assert "7 rows: 2 new, 0 already stored, 0 deletions, 5 bad" in real.out
    assert [m.external_id for m in _mentions(db_url)] == ["1", "7"]


def test_import__the_row_limit_is_a_setting(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRITIC2FAN_IMPORTS__MAX_LINE_BYTES", "2048")
    path = tmp_path / "m.jsonl"
    long_row = {
        "source": "x",
        "id": "2",
        "author": "a",
        "text": "b" * 3000,
        "created_at": "2026-11-01",
    }
    short_row = {"source": "x", "id": "1", "author": "a", "text": "ok", "created_at": "2026-11-01"}
    path.write_text(json.dumps(short_row) + "\n" + json.dumps(long_row) + "\n", encoding="utf-8")

    result = run_cli("--db", db_url, "import", str(path))

    assert result.code == 1
    assert f"{path}:2: longer than the 2,048-byte row limit" in result.err
    assert [m.external_id for m in _mentions(db_url)] == ["1"]
