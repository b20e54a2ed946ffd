"""Exports from other tools: X archive tweets.js and Reddit JSON listings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from core.errors import InputError
from listener.files import BadRow, GoodRow, detect_format, read_import_file
from listener.importer import import_file
from tests.listener.conftest import stored

TWEETS = [
    {
        "tweet": {
            "id_str": "1001",
            "full_text": "@brightloop why 🔥",
            "lang": "en",
            "created_at": "Wed Oct 10 20:19:24 +0000 2018",
        }
    },
    {
        "tweet": {
            "id_str": "1002",
            "full_text": "مرحبا\u200f brightloop",
            "created_at": "Thu Oct 11 08:00:00 +0000 2018",
            "in_reply_to_status_id_str": "1001",
        }
    },
    {"tweet": {"id_str": "1003", "full_text": "no date"}},
]
ACCOUNT = [{"account": {"username": "critic", "accountId": "42", "accountDisplayName": "C"}}]


def _write_archive(folder: Path) -> Path:
    (folder / "account.js").write_text("window.YTD.account.part0 = " + json.dumps(ACCOUNT))
    path = folder / "tweets.js"
    path.write_text("window.YTD.tweets.part0 = " + json.dumps(TWEETS, ensure_ascii=False))
    return path


def _comment(cid: str, body: str, replies: object = "") -> dict[str, object]:
    return {
        "kind": "t1",
        "data": {
            "id": cid,
            "name": f"t1_{cid}",
            "body": body,
            "author": "bob",
            "author_fullname": "t2_bob",
            "created_utc": 1767225600.0,
            "link_id": "t3_p1",
            "parent_id": "t3_p1",
            "permalink": f"/r/x/comments/p1/_/{cid}/",
            "replies": replies,
        },
    }


def _thread() -> list[object]:
    post = {
        "kind": "t3",
        "data": {
            "id": "p1",
            "name": "t3_p1",
            "title": "Brightloop outage",
            "selftext": "",
            "author": "ann",
            "created_utc": 1767225500,
            "permalink": "/r/x/p1/",
        },
    }
    nested = {"kind": "Listing", "data": {"children": [_comment("c2", "[removed]")]}}
    return [
        {"kind": "Listing", "data": {"children": [post]}},
        {
            "kind": "Listing",
            "data": {
                "after": None,
                "children": [
                    _comment("c1", "brightloop is bad", nested),
                    {"kind": "more", "data": {}},
                ],
            },
        },
    ]


def test_x_archive__rows_with_owner_from_account(tmp_path: Path) -> None:
    path = _write_archive(tmp_path)
    assert detect_format(path) == "x-archive"
    rows = list(read_import_file(path))
    good = [r.record for r in rows if isinstance(r, GoodRow)]
    assert [r.external_id for r in good] == ["1001", "1002"]
    assert good[0].author.handle == "critic" and good[0].author.platform_id == "42"
    assert good[1].in_reply_to == "1001" and good[1].created_at.year == 2018
    assert good[0].url == "https://x.com/critic/status/1001"
    bad = [r for r in rows if isinstance(r, BadRow)]
    assert len(bad) == 1 and bad[0].line == 3 and "created_at" in bad[0].reason


def test_reddit_json__thread_flattened_and_removed_honoured(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "thread.json"
    path.write_text(json.dumps(_thread()))
    assert detect_format(path) == "reddit-json"
    report = import_file(engine, path)
    assert report.bad == []
    assert sorted(stored(engine)) == ["t1_c1", "t3_p1"]  # the removed comment never stored
    assert stored(engine)["t1_c1"].thread_id == "t3_p1"
    assert stored(engine)["t3_p1"].text == "Brightloop outage"


def test_reddit_json__later_removal_purges_stored(engine: Engine, tmp_path: Path) -> None:
    first = tmp_path / "a.json"
    first.write_text(json.dumps({"kind": "Listing", "data": {"children": [_comment("c9", "hi")]}}))
    import_file(engine, first)
    again = tmp_path / "b.json"
    again.write_text(
        json.dumps({"kind": "Listing", "data": {"children": [_comment("c9", "[deleted]")]}})
    )
    report = import_file(engine, again)
    assert report.written.deleted == 1
    assert stored(engine)["t1_c9"].deleted and stored(engine)["t1_c9"].text == ""


def test_exports__format_forced_and_malformed(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_text("window.YTD.tweets.part0 = [ {oops")
    with pytest.raises(InputError):
        detect_format(path)
    with pytest.raises(InputError, match="not valid JSON"):
        list(read_import_file(path, fmt="x-archive"))
    with pytest.raises(InputError, match="unknown format"):
        list(read_import_file(path, fmt="brandwatch"))
