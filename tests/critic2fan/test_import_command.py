"""``critic2fan import``: good rows stored once, bad rows named by line, exit code says so."""

from __future__ import annotations

import json
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
