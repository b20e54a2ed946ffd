"""Every format reads back equal to what the store holds (CSV: up to neutralised cells)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.errors import InputError
from dashboard.exports import FIELDS, export_rows, neutralise, read_export
from store.models import Author, Case, Mention, Score

from .conftest import BASE


def expected_rows(engine: Engine) -> list[dict[str, Any]]:
    """What an export should contain, computed with the ORM, one mention at a time."""
    out = []
    with Session(engine) as s:
        for m in s.exec(select(Mention).order_by(Mention.id)):
            a = s.get(Author, m.author_id)
            assert a is not None
            scores = s.exec(select(Score).where(Score.mention_id == m.id)).all()
            sc = max(scores, key=lambda x: (x.scored_at, x.id)) if scores else None
            cases = s.exec(select(Case).where(Case.author_id == m.author_id)).all()
            open_cases = [c for c in cases if c.is_open]
            pool = open_cases or cases
            case = max(pool, key=lambda c: (c.updated_at, c.id)) if pool else None
            out.append(
                {
                    "mention_id": m.id,
                    "source": m.source,
                    "external_id": m.external_id,
                    "created_at": m.created_at,
                    "fetched_at": m.fetched_at,
                    "lang": m.lang,
                    "url": m.url,
                    "text": m.text,
                    "in_reply_to": m.in_reply_to,
                    "thread_id": m.thread_id,
                    "deleted": m.deleted,
                    "author_id": a.id,
                    "author_platform_id": a.platform_id,
                    "author_handle": a.handle,
                    "author_display_name": a.display_name,
                    "author_followers": a.followers,
                    "score_model": sc and sc.model_name,
                    "score_model_version": sc and sc.model_version,
                    "sentiment_label": sc and sc.sentiment_label,
                    "sentiment": sc and sc.sentiment,
                    "p_negative": sc and sc.p_negative,
                    "p_neutral": sc and sc.p_neutral,
                    "p_positive": sc and sc.p_positive,
                    "toxicity": sc and sc.toxicity,
                    "troll_likelihood": sc and sc.troll_likelihood,
                    "troll_reasons": sc and sc.troll_reasons,
                    "scored_at": sc and sc.scored_at,
                    "case_id": case and case.id,
                    "case_stage": case and case.stage,
                    "case_is_open": case and case.is_open,
                    "case_outcome": case and case.outcome,
                    "case_walkaway_reason": case and case.walkaway_reason,
                }
            )
    return out


def _normalise(row: dict[str, Any]) -> dict[str, Any]:
    """troll_reasons travels as JSON text; decode it for comparison."""
    row = dict(row)
    if isinstance(row.get("troll_reasons"), str):
        row["troll_reasons"] = json.loads(row["troll_reasons"])
    return row


def _csv_view(row: dict[str, Any]) -> dict[str, Any]:
    """How a row looks after CSV: text cells neutralised."""
    kinds = {f.name: f.kind for f in FIELDS}
    return {k: neutralise(v) if kinds[k] == "str" and v else v for k, v in row.items()}


@pytest.mark.parametrize("native", [True, False], ids=["adbc", "sqlalchemy"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export__reads_back_equal_to_the_store(
    engine: Engine, seed: Any, tmp_path: Path, fmt: str, native: bool
) -> None:
    seed(23)
    out = tmp_path / f"m.{fmt}"
    n = export_rows(engine, fmt=fmt, out=out, chunk_size=4, native=native)
    got = [_normalise(r) for r in read_export(out, fmt)]
    want = expected_rows(engine)
    if fmt == "csv":
        want = [_csv_view(r) for r in want]
    assert n == len(want) == 23
    assert got == want


def test_export__latest_score_and_open_case_win(engine: Engine, seed: Any, tmp_path: Path) -> None:
    seed(12)
    rows = list(_jsonl(engine, tmp_path))
    first = rows[0]  # mention 0: scored v1 then v2; author 0 has a closed and an open case
    assert first["score_model_version"] == "2"
    assert first["case_stage"] == "empathize" and first["case_is_open"] is True
    second = rows[1]  # author 1: only a closed case
    assert second["case_stage"] == "fan" and second["case_is_open"] is False
    assert rows[2]["case_id"] is None
    assert rows[4]["score_model"] is None  # mention 4 is unscored


def _jsonl(engine: Engine, tmp_path: Path, **kwargs: Any) -> list[dict[str, Any]]:
    out = tmp_path / "x.jsonl"
    export_rows(engine, fmt="jsonl", out=out, **kwargs)
    return list(read_export(out, "jsonl"))


@pytest.mark.parametrize("chunk", [1, 2, 7, 1000])
def test_export__chunk_size_does_not_change_the_rows(
    engine: Engine, seed: Any, tmp_path: Path, chunk: int
) -> None:
    seed(15)
    assert _jsonl(engine, tmp_path, chunk_size=chunk) == _jsonl(engine, tmp_path, chunk_size=50)


def test_export__filters_by_time_and_source(engine: Engine, seed: Any, tmp_path: Path) -> None:
    seed(30)
    since = BASE + timedelta(hours=5)
    until = BASE + timedelta(hours=20)
    rows = _jsonl(engine, tmp_path, since=since, until=until, sources=["reddit", " X "])
    want = [
        r
        for r in expected_rows(engine)
        if since <= r["created_at"] < until and r["source"] in {"reddit", "x"}
    ]
    assert [r["mention_id"] for r in rows] == [r["mention_id"] for r in want]
    assert rows, "the filter should select some rows"


def test_export__naive_since_is_utc(engine: Engine, seed: Any, tmp_path: Path) -> None:
    seed(10)
    naive = _jsonl(engine, tmp_path, since=datetime(2024, 5, 1, 14, 30))
    aware = _jsonl(engine, tmp_path, since=datetime(2024, 5, 1, 14, 30, tzinfo=UTC))
    assert naive == aware and len(naive) == 5


def test_export__fields_subset_keeps_catalogue_order(
    engine: Engine, seed: Any, tmp_path: Path
) -> None:
    seed(5)
    out = tmp_path / "s.csv"
    export_rows(engine, fmt="csv", out=out, fields="case_stage, mention_id,text")
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header == "mention_id,text,case_stage"


def test_export__unknown_field_is_a_clear_error(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown export field.*password"):
        export_rows(engine, fmt="csv", out=tmp_path / "a.csv", fields=["text", "password"])
    assert list(tmp_path.glob("a.csv*")) == []


def test_export__unknown_format_is_a_clear_error(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown export format 'xlsx'"):
        export_rows(engine, fmt="xlsx", out=tmp_path / "a.xlsx")


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export__empty_database_gives_a_valid_empty_file(
    engine: Engine, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"e.{fmt}"
    assert export_rows(engine, fmt=fmt, out=out) == 0
    assert list(read_export(out, fmt)) == []


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export__stream_target_is_left_open(engine: Engine, seed: Any, fmt: str) -> None:
    seed(6)
    buffer = io.BytesIO()
    assert export_rows(engine, fmt=fmt, out=buffer) == 6
    assert not buffer.closed and buffer.getvalue()


def test_export__database_failure_leaves_no_partial_file(
    engine: Engine, seed: Any, tmp_path: Path
) -> None:
    from core.errors import StorageError

    seed(5)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE score")
    out = tmp_path / "broken.parquet"
    with pytest.raises(StorageError, match="export failed"):
        export_rows(engine, fmt="parquet", out=out)
    assert list(tmp_path.glob("broken*")) == []


@pytest.mark.postgres
@pytest.mark.parametrize("native", [True, False], ids=["adbc", "sqlalchemy"])
@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_export__postgres_reads_back_equal_to_the_store(
    pg_engine: Engine, tmp_path: Path, fmt: str, native: bool
) -> None:
    from .conftest import seed_into

    seed_into(pg_engine, 17)
    out = tmp_path / f"pg.{fmt}"
    assert export_rows(pg_engine, fmt=fmt, out=out, chunk_size=5, native=native) == 17
    got = [_normalise(r) for r in read_export(out, fmt)]
    assert got == expected_rows(pg_engine)
