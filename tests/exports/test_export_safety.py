"""CSV formula neutralising and anonymized exports."""

from __future__ import annotations

import csv
import io
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from core.errors import ConfigError
from dashboard.exports import export_rows, neutralise, read_export
from dashboard.exports.writers import FORMULA_TRIGGERS
from store.engine import session_scope
from store.models import Author, Mention

from .conftest import BASE


def _csv_cells(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_neutralise__formula_starts_get_a_quote(trigger: str) -> None:
    assert neutralise(trigger + "SUM(A1)") == "'" + trigger + "SUM(A1)"


@pytest.mark.parametrize("text", ["", "fine", "a=b", " =padded", "'already", "1+1"])
def test_neutralise__other_text_is_untouched(text: str) -> None:
    assert neutralise(text) == text


def test_csv__hostile_cells_are_neutralised_but_numbers_are_not(
    engine: Engine, seed: Any, tmp_path: Path
) -> None:
    seed(20)
    out = tmp_path / "m.csv"
    export_rows(engine, fmt="csv", out=out)
    cells = _csv_cells(out)
    texts = [c["text"] for c in cells]
    for text in texts:
        assert not text or text[0] not in FORMULA_TRIGGERS, text
    assert '\'=HYPERLINK("http://evil.example","click")' in texts
    assert "'\rcarriage return first" in texts
    assert "'=cmd|' /C calc'!A0" in {c["author_handle"] for c in cells}
    negatives = [c["sentiment"] for c in cells if c["sentiment"].startswith("-")]
    assert negatives and all(float(v) < 0 for v in negatives)  # numbers stay numbers


def _one_mention(engine: Engine, text: str) -> None:
    with session_scope(engine) as s:
        a = Author(platform="x", platform_id="1", handle="h")
        s.add(a)
        s.flush()
        s.add(Mention(source="x", external_id="e", author_id=a.id, text=text, created_at=BASE))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00")))
def test_export__any_text_round_trips(tmp_path_factory: Any, text: str) -> None:
    from store.engine import make_engine
    from store.migrate import upgrade

    folder = tmp_path_factory.mktemp("rt")
    engine = make_engine("sqlite:///" + str(folder / "t.db"))
    upgrade(engine)
    _one_mention(engine, text)
    for fmt in ("csv", "jsonl", "parquet"):
        out = folder / f"m.{fmt}"
        export_rows(engine, fmt=fmt, out=out, fields="text")
        (row,) = read_export(out, fmt)
        assert row["text"] == (neutralise(text) if fmt == "csv" else text)
    engine.dispose()


def test_anonymize__no_identifier_leaks_and_links_survive(
    engine: Engine, seed: Any, tmp_path: Path
) -> None:
    seed(12)
    plain = list(_export(engine, tmp_path / "p.jsonl"))
    anon = list(_export(engine, tmp_path / "a.jsonl", anonymize=True, salt="pepper"))
    raw = (tmp_path / "a.jsonl").read_text(encoding="utf-8")
    for row in plain:
        assert f'"{row["author_handle"]}"' not in raw
        assert f'"{row["author_platform_id"]}"' not in raw
        assert f'"{row["external_id"]}"' not in raw
    assert all(r["url"] is None and r["author_display_name"] is None for r in anon)
    hexchars = set(string.hexdigits)
    assert all(set(r["author_handle"]) <= hexchars for r in anon)
    # same author -> same digest; a reply still points at its parent's (hashed) id
    for p, a in zip(plain, anon, strict=True):
        twin = [x for x, y in zip(plain, anon, strict=True) if y["author_id"] == a["author_id"]]
        assert {x["author_id"] for x in twin} == {p["author_id"]}
    by_ext = {a["external_id"] for a in anon}
    replies = [a for a in anon if a["in_reply_to"]]
    assert replies and all(r["in_reply_to"] in by_ext for r in replies)
    assert [r["text"] for r in anon] == [r["text"] for r in plain]


def test_anonymize__salt_changes_every_digest(engine: Engine, seed: Any, tmp_path: Path) -> None:
    seed(4)
    one = list(_export(engine, tmp_path / "1.jsonl", anonymize=True, salt="a"))
    two = list(_export(engine, tmp_path / "2.jsonl", anonymize=True, salt=b"b"))
    assert all(x["author_handle"] != y["author_handle"] for x, y in zip(one, two, strict=True))


@pytest.mark.parametrize("salt", [None, "", b""])
def test_anonymize__refuses_without_a_salt(engine: Engine, tmp_path: Path, salt: Any) -> None:
    with pytest.raises(ConfigError, match="need a salt"):
        export_rows(engine, fmt="csv", out=tmp_path / "a.csv", anonymize=True, salt=salt)
    assert list(tmp_path.glob("a.csv*")) == []


def test_anonymize__parquet_ids_become_text(engine: Engine, seed: Any) -> None:
    import pyarrow.parquet as pq

    seed(3)
    buffer = io.BytesIO()
    export_rows(engine, fmt="parquet", out=buffer, anonymize=True, salt="s")
    table = pq.read_table(io.BytesIO(buffer.getvalue()))
    assert str(table.schema.field("author_id").type) == "string"
    assert str(table.schema.field("mention_id").type) == "int64"


def _export(engine: Engine, out: Path, **kwargs: Any) -> list[dict[str, Any]]:
    export_rows(engine, fmt="jsonl", out=out, **kwargs)
    return list(read_export(out, "jsonl"))
