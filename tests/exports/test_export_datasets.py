"""Cases, case events, the goodwill ledger and topic counts: exported, read back, guarded."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.errors import InputError
from critic2fan.cli import main
from dashboard.exports import DATASETS, export_rows, neutralise, read_export
from dashboard.exports.writers import neutralise_array
from store.arrow_reads import arrow_reads
from store.engine import session_scope
from store.models import (
    Author,
    Case,
    CaseEvent,
    DiscoveredTopic,
    GoodwillLedger,
    Mention,
    MentionTopic,
)

from .conftest import BASE, HOSTILE_TEXTS, seed_into

CASEWORK = ("cases", "case_events", "goodwill", "topics", "case_topics")


def seed_casework(engine: Engine) -> None:
    """Mentions and cases (``seed_into``), events, goodwill and topics with hostile text."""
    seed_into(engine, 12)
    with session_scope(engine) as s:
        labels = ["=SUM(A1) refunds", "délai de livraison 😡", "配送の遅れ"]
        topics = [
            DiscoveredTopic(
                label=label,
                terms=[label.split()[0], "late"],
                examples=[1, 2] if k == 0 else [],
                centroid=b"\x00\x01",
                seed="delivery" if k == 1 else None,
                size=10 * (k + 1),
                named_by_staff=k == 0,
                created_at=BASE + timedelta(days=k),
                updated_at=BASE + timedelta(days=k, hours=1),
            )
            for k, label in enumerate(labels)
        ]
        s.add_all(topics)
        s.flush()
        topics[2].active = False
        topics[2].merged_into = topics[0].id
        for m in s.exec(select(Mention).order_by(Mention.id)):
            s.add(MentionTopic(mention_id=m.id, vector=b"\x00", topic_id=topics[m.id % 2].id))
        cases = list(s.exec(select(Case).order_by(Case.id)))
        cases[0].topic = "=cmd|' /C calc'!A0"
        cases[1].assignee = "@lead"
        for i, c in enumerate(cases):
            for k in range(3):
                text = HOSTILE_TEXTS[(i * 3 + k) % len(HOSTILE_TEXTS)]
                s.add(
                    CaseEvent(
                        case_id=c.id,
                        at=BASE + timedelta(minutes=10 * (i * 3 + k)),
                        kind="note" if k else "stage",
                        actor="engine" if k == 0 else "user:ana",
                        stage_from="acknowledge" if k == 0 else None,
                        stage_to="empathize" if k == 0 else None,
                        body=text or None,
                        reason="-1 because" if k == 2 else None,
                        data={"why": "émoji 😡", "n": k} if k == 1 else {},
                    )
                )
            s.add(
                GoodwillLedger(
                    case_id=c.id,
                    actor="user:ana",
                    kind="refund" if i % 2 else "gift",
                    amount=12.5 * (i + 1),
                    currency="EUR",
                    at=BASE + timedelta(hours=i),
                    note='=HYPERLINK("http://evil.example","click")' if i == 0 else "日本語 ok",
                    approved_by="lead" if i == 1 else None,
                )
            )


def expected(engine: Engine, dataset: str) -> list[dict[str, Any]]:
    """What the export of ``dataset`` should hold, computed with the ORM row by row."""
    with Session(engine) as s:
        cases = {c.id: c for c in s.exec(select(Case))}
        authors = {a.id: a for a in s.exec(select(Author))}
        if dataset == "cases":
            return [
                {
                    "case_id": c.id,
                    "author_id": c.author_id,
                    "author_platform_id": authors[c.author_id].platform_id,
                    "author_handle": authors[c.author_id].handle,
                    "topic": c.topic,
                    "source": c.source,
                    "stage": c.stage,
                    "is_open": c.is_open,
                    "priority": c.priority,
                    "assignee": c.assignee,
                    "opened_at": c.opened_at,
                    "updated_at": c.updated_at,
                    "sla_due": c.sla_due,
                    "closed_at": c.closed_at,
                    "outcome": c.outcome,
                    "walkaway_reason": c.walkaway_reason,
                    "goodwill_spent": c.goodwill_spent,
                    "incident": c.incident,
                    "latest_mention_id": c.latest_mention_id,
                }
                for c in sorted(cases.values(), key=lambda c: c.id or 0)
            ]
        if dataset == "case_events":
            return [
                {
                    "event_id": e.id,
                    "case_id": e.case_id,
                    "at": e.at,
                    "kind": e.kind,
                    "actor": e.actor,
                    "stage_from": e.stage_from,
                    "stage_to": e.stage_to,
                    "mention_id": e.mention_id,
                    "body": e.body,
                    "reason": e.reason,
                    "data": e.data,
                    "case_author_id": cases[e.case_id].author_id,
                    "case_source": cases[e.case_id].source,
                    "case_topic": cases[e.case_id].topic,
                }
                for e in s.exec(select(CaseEvent).order_by(CaseEvent.id))
            ]
        if dataset == "goodwill":
            return [
                {
                    "goodwill_id": g.id,
                    "case_id": g.case_id,
                    "at": g.at,
                    "actor": g.actor,
                    "kind": g.kind,
                    "amount": g.amount,
                    "currency": g.currency,
                    "note": g.note,
                    "approved_by": g.approved_by,
                    "case_author_id": cases[g.case_id].author_id,
                    "case_source": cases[g.case_id].source,
                    "case_topic": cases[g.case_id].topic,
                }
                for g in s.exec(select(GoodwillLedger).order_by(GoodwillLedger.id))
            ]
        if dataset == "topics":
            assigned = Counter(mt.topic_id for mt in s.exec(select(MentionTopic)))
            return [
                {
                    "topic_id": t.id,
                    "label": t.label,
                    "terms": t.terms,
                    "seed": t.seed,
                    "size": t.size,
                    "mentions": assigned[t.id],
                    "example_mention_ids": t.examples,
                    "named_by_staff": t.named_by_staff,
                    "active": t.active,
                    "merged_into": t.merged_into,
                    "created_at": t.created_at,
                    "updated_at": t.updated_at,
                }
                for t in s.exec(select(DiscoveredTopic).order_by(DiscoveredTopic.id))
            ]
        by_topic: dict[str, list[Case]] = defaultdict(list)
        for c in cases.values():
            by_topic[c.topic].append(c)
        return [
            {
                "topic": topic,
                "cases": len(group),
                "open_cases": sum(c.is_open for c in group),
                "fans": sum(c.outcome == "fan" for c in group),
                "walk_aways": sum(c.outcome == "walk_away" for c in group),
                "goodwill_spent": sum(c.goodwill_spent for c in group),
                "first_opened_at": min(c.opened_at for c in group),
                "last_updated_at": max(c.updated_at for c in group),
            }
            for topic, group in sorted(by_topic.items())
        ]


def _normalise(row: dict[str, Any]) -> dict[str, Any]:
    """JSON columns travel as JSON text; decode them for comparison."""
    for name in ("data", "terms", "example_mention_ids"):
        if isinstance(row.get(name), str):
            row = {**row, name: json.loads(row[name])}
    return row


def _csv_view(dataset: str, row: dict[str, Any]) -> dict[str, Any]:
    kinds = {f.name: f.kind for f in DATASETS[dataset].fields}
    return {
        k: neutralise(v) if kinds[k] == "str" and isinstance(v, str) and v else v
        for k, v in row.items()
    }


@pytest.mark.parametrize("native", [True, False], ids=["adbc", "sqlalchemy"])
@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
@pytest.mark.parametrize("dataset", CASEWORK)
def test_dataset__reads_back_equal_to_the_store(
    any_engine: Engine, tmp_path: Path, dataset: str, fmt: str, native: bool
) -> None:
    seed_casework(any_engine)
    out = tmp_path / f"{dataset}.{fmt}"
    n = export_rows(any_engine, fmt=fmt, out=out, dataset=dataset, chunk_size=4, native=native)
    got = [_normalise(r) for r in read_export(out, fmt, dataset=dataset)]
    want = expected(any_engine, dataset)
    if fmt == "csv":
        want = [_csv_view(dataset, r) for r in want]
    assert n == len(want) > 0
    assert got == want


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_dataset__adbc_and_sqlalchemy_write_the_same_file(
    any_engine: Engine, tmp_path: Path, dataset: str
) -> None:
    seed_casework(any_engine)
    fast, plain = tmp_path / "fast.csv", tmp_path / "plain.csv"
    export_rows(any_engine, fmt="csv", out=fast, dataset=dataset, chunk_size=5)
    export_rows(any_engine, fmt="csv", out=plain, dataset=dataset, chunk_size=5, native=False)
    assert fast.read_bytes() == plain.read_bytes()


def test_reads__file_databases_are_read_natively(any_engine: Engine) -> None:
    with arrow_reads(any_engine) as reads:
        assert reads.kind == "adbc"
    with arrow_reads(any_engine, native=False) as reads:
        assert reads.kind == "sqlalchemy"


def test_csv__formula_cells_in_casework_come_out_inert(engine: Engine, tmp_path: Path) -> None:
    seed_casework(engine)
    cells: dict[str, list[dict[str, str]]] = {}
    for dataset in CASEWORK:
        out = tmp_path / f"{dataset}.csv"
        export_rows(engine, fmt="csv", out=out, dataset=dataset)
        with out.open(encoding="utf-8", newline="") as handle:
            cells[dataset] = list(csv.DictReader(handle))
    notes = [r["note"] for r in cells["goodwill"]]
    assert '\'=HYPERLINK("http://evil.example","click")' in notes
    assert "日本語 ok" in notes
    bodies = [r["body"] for r in cells["case_events"]]
    assert "'@brightloop you broke my order" in bodies
    assert "emoji 😡🔥 and 日本語のテキスト" in bodies
    assert "'-1 because" in [r["reason"] for r in cells["case_events"]]
    assert "'=cmd|' /C calc'!A0" in [r["topic"] for r in cells["case_topics"]]
    assert "'=SUM(A1) refunds" in [r["label"] for r in cells["topics"]]
    assert "配送の遅れ" in [r["label"] for r in cells["topics"]]
    assert "'@lead" in [r["assignee"] for r in cells["cases"]]
    for rows in cells.values():
        for row in rows:
            for value in row.values():
                assert not value or value[0] not in "=+-@\t\r" or _number(value), value


def _number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def test_parquet__keeps_the_raw_text(engine: Engine) -> None:
    import pyarrow.parquet as pq

    seed_casework(engine)
    buffer = io.BytesIO()
    export_rows(engine, fmt="parquet", out=buffer, dataset="goodwill")
    notes = pq.read_table(io.BytesIO(buffer.getvalue())).column("note").to_pylist()
    assert notes[0] == '=HYPERLINK("http://evil.example","click")'


def test_anonymize__casework_hashes_the_critic_the_same_way_as_mentions(
    engine: Engine, tmp_path: Path
) -> None:
    seed_casework(engine)
    rows = {}
    for dataset in ("mentions", "cases", "case_events", "goodwill"):
        out = tmp_path / f"{dataset}.jsonl"
        export_rows(engine, fmt="jsonl", out=out, dataset=dataset, anonymize=True, salt="s")
        rows[dataset] = list(read_export(out, "jsonl", dataset=dataset))
    plain = expected(engine, "cases")
    handles = {r["author_handle"] for r in plain}
    for r in rows["cases"]:
        assert r["author_handle"] not in handles and len(r["author_handle"]) == 32
        assert isinstance(r["author_id"], str)
    mention_authors = {r["author_id"] for r in rows["mentions"]}
    case_authors = {r["author_id"] for r in rows["cases"]}
    assert case_authors and case_authors <= mention_authors  # links survive across datasets
    assert {r["case_author_id"] for r in rows["case_events"]} <= case_authors
    assert {r["case_author_id"] for r in rows["goodwill"]} <= case_authors


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("dataset", list(DATASETS))
def test_empty__a_header_only_file(
    any_engine: Engine, tmp_path: Path, dataset: str, fmt: str
) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / f"e.{fmt}"
    assert export_rows(any_engine, fmt=fmt, out=out, dataset=dataset) == 0
    names = [f.name for f in DATASETS[dataset].fields]
    if fmt == "csv":
        assert out.read_bytes() == (",".join(names) + "\r\n").encode()
    elif fmt == "parquet":
        table = pq.read_table(out)
        assert table.num_rows == 0 and table.column_names == names
    else:
        assert out.read_bytes() == b""


def test_filters__cases_by_opening_time_and_source(engine: Engine, tmp_path: Path) -> None:
    seed_casework(engine)
    with session_scope(engine) as s:
        for i, c in enumerate(s.exec(select(Case).order_by(Case.id))):
            c.opened_at = BASE + timedelta(days=i)
            c.source = "reddit" if i == 2 else "x"
    out = tmp_path / "c.jsonl"
    since, until = BASE + timedelta(days=1), BASE + timedelta(days=3)
    export_rows(engine, fmt="jsonl", out=out, dataset="cases", since=since, until=until)
    assert [r["case_id"] for r in read_export(out, "jsonl", dataset="cases")] == [2, 3]
    export_rows(engine, fmt="jsonl", out=out, dataset="cases", sources=["reddit"])
    assert [r["case_id"] for r in read_export(out, "jsonl", dataset="cases")] == [3]


def test_topics__have_no_source_to_filter_by(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="topics have no source"):
        export_rows(engine, fmt="csv", out=tmp_path / "t.csv", dataset="topics", sources=["x"])


def test_unknown_dataset__is_a_clear_error(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown export dataset 'users'.*goodwill"):
        export_rows(engine, fmt="csv", out=tmp_path / "a.csv", dataset="users")
    assert list(tmp_path.glob("a.csv*")) == []


def test_cli__exports_the_goodwill_ledger(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_casework(engine)
    out = tmp_path / "goodwill.parquet"
    db = engine.url.render_as_string(hide_password=False)
    code = main(["--db", db, "export", "-f", "parquet", "-o", str(out), "--dataset", "goodwill"])
    assert code == 0
    rows = list(read_export(out, "parquet", dataset="goodwill"))
    assert [r["amount"] for r in rows] == [12.5, 25.0, 37.5]
    assert "exported 3 goodwill entries" in capsys.readouterr().err


@given(st.lists(st.one_of(st.none(), st.text(max_size=6)), max_size=30))
def test_guard__the_vectorised_guard_is_the_scalar_one(values: list[str | None]) -> None:
    guarded = neutralise_array(pa.array(values, pa.string())).to_pylist()
    assert guarded == [None if v is None else neutralise(v) for v in values]


def test_cli__help_names_every_dataset() -> None:
    from critic2fan.clidocs import help_text

    text = " ".join(help_text(["export"]).split())
    for name in DATASETS:
        assert name in text
