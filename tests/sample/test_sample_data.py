"""The bundled Brightloop sample meets its spec: shapes, scenarios, quirks and determinism."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pytest

from sample import MENTIONS_PATH, TRUTH_PATH, generate

Row = dict[str, Any]
Key = tuple[str, str]

START = datetime(2026, 11, 7, tzinfo=UTC)
END = datetime(2026, 11, 21, tzinfo=UTC)
REQUIRED = ("source", "id", "author", "text", "created_at")
ID_SHAPES = {
    "x": re.compile(r"^[1-9][0-9]{17,19}$"),
    "reddit": re.compile(r"^t[13]_[0-9a-z]{5,9}$"),
    "bluesky": re.compile(r"^at://did:plc:[a-z2-7]{24}/app\.bsky\.feed\.post/[2-7a-z]{13}$"),
    "mastodon": re.compile(r"^[1-9][0-9]{16,18}$"),
}
TAGS = {
    "praise", "question", "complaint", "counterfactual", "sarcasm", "troll", "pileon", "spike",
    "foreign", "emoji", "long", "duplicate", "brand_reply", "hostile_markup", "formula", "rtl",
    "zero_width",
}  # fmt: skip
PERSONAS = {
    "fan", "neutral", "repeat_critic_converts", "critic_agrees_to_disagree", "critic_no_answer",
    "cannot_be_pleased", "troll", "pileon", "brand", "spike_complainer", "casual_critic",
}  # fmt: skip
OUTCOMES = {
    "fan", "walk_away:troll", "walk_away:agreed_to_disagree", "walk_away:no_answer",
    "walk_away:cannot_be_pleased", "none",
}  # fmt: skip
ZERO_WIDTH = set("\u200b\u200c\u200e\u200f\u2060\ufeff")
KEYWORDS = ("brightloop", "bright loop")


def _parse(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp)
    assert moment.tzinfo is not None, stamp
    return moment.astimezone(UTC)


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return MENTIONS_PATH.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def rows(lines: list[str]) -> list[Row]:
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def mentions(rows: list[Row]) -> dict[Key, Row]:
    return {(row["source"], row["id"]): row for row in rows}


@pytest.fixture(scope="module")
def truth() -> dict[str, list[Row]]:
    kinds: dict[str, list[Row]] = defaultdict(list)
    for line in TRUTH_PATH.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        kinds[item["kind"]].append(item)
    return kinds


@pytest.fixture(scope="module")
def labels(truth: dict[str, list[Row]]) -> dict[Key, Row]:
    return {(m["source"], m["id"]): m for m in truth["mention"]}


@pytest.fixture(scope="module")
def personas(truth: dict[str, list[Row]]) -> dict[Key, str]:
    return {(a["platform"], a["handle"]): a["persona"] for a in truth["author"]}


def _tagged(labels: dict[Key, Row], mentions: dict[Key, Row], tag: str) -> list[Row]:
    return [mentions[key] for key, label in labels.items() if tag in label["tags"]]


def test_mentions__at_least_600_rows_with_required_keys(rows: list[Row]) -> None:
    assert len(rows) >= 600
    for row in rows:
        for key in REQUIRED:
            assert isinstance(row[key], str) and row[key], (key, row)
        assert row["source"] in ID_SHAPES
        assert not row["author"].startswith("@")
        assert START <= _parse(row["created_at"]) < END
        if "account_created" in row:
            assert _parse(row["account_created"]) < _parse(row["created_at"])


def test_mentions__optional_keys_have_the_documented_types(rows: list[Row]) -> None:
    for row in rows:
        for key in ("followers", "following"):
            if key in row:
                assert isinstance(row[key], int) and row[key] >= 0
        for key in ("is_brand", "deleted"):
            if key in row:
                assert row[key] is True
        for key in ("author_id", "author_name", "lang", "url", "in_reply_to", "thread_id"):
            if key in row:
                assert isinstance(row[key], str) and row[key]


def test_ids__have_each_platforms_shape(rows: list[Row]) -> None:
    for row in rows:
        assert ID_SHAPES[row["source"]].match(row["id"]), row["id"]
        if row["source"] == "bluesky" and "author_id" in row:
            assert row["id"].startswith(f"at://{row['author_id']}/")
        if row["source"] == "x":
            assert re.fullmatch(r"[A-Za-z0-9_]{1,15}", row["author"])
        if "url" in row:
            assert row["url"].startswith("https://")
            tail = row["id"].rsplit("/", 1)[-1].removeprefix("t1_").removeprefix("t3_")
            assert tail in row["url"]


def test_sources__all_four_platforms_present(rows: list[Row]) -> None:
    counts = Counter(row["source"] for row in rows)
    assert set(counts) == set(ID_SHAPES)
    assert min(counts.values()) >= 40


def test_duplicates__at_least_ten_rows_exported_twice_identically(
    lines: list[str], rows: list[Row], labels: dict[Key, Row]
) -> None:
    by_key: dict[Key, list[str]] = defaultdict(list)
    for line, row in zip(lines, rows, strict=True):
        by_key[(row["source"], row["id"])].append(line)
    repeated = {key: copies for key, copies in by_key.items() if len(copies) > 1}
    assert len(repeated) >= 10
    assert all(len(set(copies)) == 1 for copies in repeated.values())
    assert set(repeated) == {k for k, m in labels.items() if "duplicate" in m["tags"]}


def test_crossposts__same_text_under_different_ids(mentions: dict[Key, Row]) -> None:
    by_text: dict[str, set[Key]] = defaultdict(set)
    for key, row in mentions.items():
        if not row.get("is_brand"):
            by_text[row["text"]].add(key)
    crossposted = [keys for keys in by_text.values() if len({k[0] for k in keys}) > 1]
    assert len(crossposted) >= 4


def test_replies__point_at_posts_in_the_file(mentions: dict[Key, Row]) -> None:
    replies = [row for row in mentions.values() if "in_reply_to" in row]
    assert len(replies) >= 100
    for row in replies:
        parent = mentions[(row["source"], row["in_reply_to"])]
        root = mentions[(row["source"], row["thread_id"])]
        assert _parse(parent["created_at"]) < _parse(row["created_at"])
        assert "in_reply_to" not in root
    for row in mentions.values():
        if "thread_id" in row:
            assert (row["source"], row["thread_id"]) in mentions


def test_brand__marked_on_every_platform_and_replies_in_threads(
    mentions: dict[Key, Row], labels: dict[Key, Row]
) -> None:
    brand = [row for row in mentions.values() if row["author"] == "brightloop"]
    assert {row["source"] for row in brand} == set(ID_SHAPES)
    assert all(row.get("is_brand") is True for row in brand)
    assert not any(row.get("is_brand") for row in mentions.values() if row not in brand)
    assert all("brand_reply" in labels[(r["source"], r["id"])]["tags"] for r in brand)
    replies = [row for row in brand if "in_reply_to" in row]
    assert len(replies) >= 50
    assert (
        sum(
            1
            for row in replies
            if mentions[(row["source"], row["in_reply_to"])]["author"] != "brightloop"
        )
        >= 40
    )


def test_order__by_time_except_a_handful(rows: list[Row]) -> None:
    times = [_parse(row["created_at"]) for row in rows]
    backwards = sum(1 for a, b in zip(times, times[1:], strict=False) if b < a)
    assert 1 <= backwards <= 25


def test_lang__present_on_most_rows_but_not_all(rows: list[Row]) -> None:
    with_lang = sum(1 for row in rows if "lang" in row)
    assert 0.8 * len(rows) <= with_lang < len(rows)


def test_truth__covers_every_mention_and_author_exactly_once(
    mentions: dict[Key, Row], truth: dict[str, list[Row]], labels: dict[Key, Row]
) -> None:
    assert len(labels) == len(truth["mention"]) == len(mentions)
    assert set(labels) == set(mentions)
    for label in labels.values():
        assert set(label["tags"]) <= TAGS
        assert label["sentiment"] in {"negative", "neutral", "positive"}
    authors = {(a["platform"], a["handle"]) for a in truth["author"]}
    assert len(authors) == len(truth["author"])
    assert authors == {(row["source"], row["author"]) for row in mentions.values()}
    for author in truth["author"]:
        assert author["persona"] in PERSONAS
        assert author["expected_outcome"] in OUTCOMES


def test_truth__every_claim_is_defined_and_made_at_least_twice(
    truth: dict[str, list[Row]], labels: dict[Key, Row]
) -> None:
    claims = {c["claim_id"]: c for c in truth["claim"]}
    assert len(claims) >= 8
    for claim in claims.values():
        assert claim["claim"] and claim["fact"] and claim["topic"]
    made = Counter(m["claim_id"] for m in labels.values() if m["claim_id"])
    assert set(made) == set(claims)
    assert min(made.values()) >= 2
    for label in labels.values():
        assert ("counterfactual" in label["tags"]) == (label["claim_id"] is not None)


@pytest.mark.parametrize(
    ("tag", "minimum"),
    [
        ("praise", 60),
        ("question", 40),
        ("complaint", 150),
        ("counterfactual", 25),
        ("sarcasm", 15),
        ("troll", 20),
        ("pileon", 15),
        ("spike", 80),
        ("foreign", 25),
        ("emoji", 10),
        ("long", 5),
        ("duplicate", 10),
        ("brand_reply", 50),
        ("hostile_markup", 4),
        ("formula", 4),
        ("rtl", 5),
        ("zero_width", 3),
    ],
)
def test_tags__each_scenario_is_well_represented(
    labels: dict[Key, Row], tag: str, minimum: int
) -> None:
    assert sum(1 for m in labels.values() if tag in m["tags"]) >= minimum


@pytest.mark.parametrize(
    ("persona", "minimum"),
    [
        ("fan", 30),
        ("neutral", 20),
        ("casual_critic", 30),
        ("repeat_critic_converts", 8),
        ("critic_agrees_to_disagree", 2),
        ("critic_no_answer", 2),
        ("cannot_be_pleased", 1),
        ("troll", 5),
        ("pileon", 15),
        ("spike_complainer", 50),
        ("brand", 4),
    ],
)
def test_personas__each_is_present(truth: dict[str, list[Row]], persona: str, minimum: int) -> None:
    assert sum(1 for a in truth["author"] if a["persona"] == persona) >= minimum


def test_personas__exactly_one_cannot_be_pleased(truth: dict[str, list[Row]]) -> None:
    assert sum(1 for a in truth["author"] if a["persona"] == "cannot_be_pleased") == 1


def test_tags__derived_tags_match_the_text(
    mentions: dict[Key, Row], labels: dict[Key, Row]
) -> None:
    for key, label in labels.items():
        text, tags = mentions[key]["text"], set(label["tags"])
        assert ("long" in tags) == (len(text) >= 2000)
        if "long" in tags:
            assert len(text) <= 6000
        assert ("zero_width" in tags) == bool(ZERO_WIDTH & set(text))
        assert ("rtl" in tags) == any(unicodedata.bidirectional(ch) == "AL" for ch in text)
        if "emoji" in tags:
            assert generate.emoji_count(text) >= 3
        if "formula" in tags:
            assert text[0] in "=+-@"


def test_hostile_inputs__every_payload_is_present(mentions: dict[Key, Row]) -> None:
    texts = "\n".join(row["text"] for row in mentions.values())
    for payload in (
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "**Brightloop** support was honestly [great](javascript:alert(1))",
        '=HYPERLINK("http://evil","x")',
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "-2+3",
    ):
        assert payload in texts, payload


def test_foreign__six_languages_and_some_rows_without_lang(
    labels: dict[Key, Row], mentions: dict[Key, Row]
) -> None:
    foreign = _tagged(labels, mentions, "foreign")
    langs = Counter(row.get("lang") for row in foreign)
    assert {"es", "de", "fr", "pt", "ja", "ar"} <= set(langs)
    assert langs[None] >= 1


def test_keywords__every_root_post_names_the_brand(mentions: dict[Key, Row]) -> None:
    for row in mentions.values():
        if "in_reply_to" in row or row.get("is_brand"):
            continue
        text = "".join(ch for ch in row["text"] if ch not in ZERO_WIDTH).lower()
        assert any(word in text for word in KEYWORDS), row["text"]


def test_spike__eighty_negative_mentions_within_four_hours_on_day_ten(
    labels: dict[Key, Row], mentions: dict[Key, Row]
) -> None:
    times = sorted(
        _parse(mentions[key]["created_at"])
        for key, label in labels.items()
        if "spike" in label["tags"] and label["sentiment"] == "negative"
    )
    assert all(t.date() == datetime(2026, 11, 16).date() for t in times)
    best = max(sum(1 for t in times if start <= t < start + timedelta(hours=4)) for start in times)
    assert best >= 80


def test_pileon__fifteen_accounts_near_identical_text_within_an_hour(
    labels: dict[Key, Row], mentions: dict[Key, Row]
) -> None:
    rows = _tagged(labels, mentions, "pileon")
    common = Counter(row["text"] for row in rows).most_common(1)[0][0]
    similar = [row for row in rows if SequenceMatcher(None, row["text"], common).ratio() >= 0.85]
    assert len({row["author"] for row in similar}) >= 15
    times = sorted(_parse(row["created_at"]) for row in similar)
    assert times[-1] - times[0] <= timedelta(hours=1)


def test_trolls__several_hostile_posts_each_some_from_new_small_accounts(
    labels: dict[Key, Row], mentions: dict[Key, Row], personas: dict[Key, str]
) -> None:
    troll_rows = [
        mentions[key] for key in labels if personas[(key[0], mentions[key]["author"])] == "troll"
    ]
    per_author = Counter((row["source"], row["author"]) for row in troll_rows)
    assert sum(1 for count in per_author.values() if count >= 3) >= 5
    fresh = {
        (row["source"], row["author"])
        for row in troll_rows
        if "account_created" in row
        and _parse(row["created_at"]) - _parse(row["account_created"]) < timedelta(days=60)
        and row.get("followers", 0) < 50
    }
    assert len(fresh) >= 2


def test_influencers__a_few_big_accounts(rows: list[Row]) -> None:
    big = {
        (row["source"], row["author"])
        for row in rows
        if not row.get("is_brand") and 50_000 <= row.get("followers", 0) <= 500_000
    }
    assert len(big) >= 3


def _threads_of(mentions: dict[Key, Row], source: str, handle: str) -> list[Row]:
    own = [r for r in mentions.values() if r["source"] == source and r["author"] == handle]
    roots = {r.get("thread_id", r["id"]) for r in own}
    related = [
        r
        for r in mentions.values()
        if r["source"] == source and (r["id"] in roots or r.get("thread_id") in roots)
    ]
    return sorted(related, key=lambda r: _parse(r["created_at"]))


def test_converts__complain_over_days_get_replies_and_end_positive(
    truth: dict[str, list[Row]], mentions: dict[Key, Row], labels: dict[Key, Row]
) -> None:
    converts = [a for a in truth["author"] if a["persona"] == "repeat_critic_converts"]
    assert len(converts) >= 8
    for author in converts:
        source, handle = author["platform"], author["handle"]
        assert author["expected_outcome"] == "fan"
        own = sorted(
            (r for r in mentions.values() if r["source"] == source and r["author"] == handle),
            key=lambda r: _parse(r["created_at"]),
        )
        complaints = [r for r in own if labels[(source, r["id"])]["sentiment"] == "negative"]
        assert len(complaints) >= 2
        assert len({_parse(r["created_at"]).date() for r in complaints}) >= 2
        thread = _threads_of(mentions, source, handle)
        assert sum(1 for r in thread if r.get("is_brand")) >= 2
        assert labels[(source, own[-1]["id"])]["sentiment"] == "positive"


def test_walk_aways__brand_replied_and_critic_did_not_come_round(
    truth: dict[str, list[Row]], mentions: dict[Key, Row], labels: dict[Key, Row]
) -> None:
    walkers = [
        a
        for a in truth["author"]
        if a["persona"] in ("critic_agrees_to_disagree", "critic_no_answer", "cannot_be_pleased")
    ]
    for author in walkers:
        source, handle = author["platform"], author["handle"]
        thread = _threads_of(mentions, source, handle)
        assert any(r.get("is_brand") for r in thread)
        own = [r for r in thread if r["author"] == handle]
        assert all(labels[(source, r["id"])]["sentiment"] != "positive" for r in own)
        if author["persona"] == "critic_no_answer":
            first_brand = next(r for r in thread if r.get("is_brand"))
            replies_after = [
                r
                for r in own
                if _parse(r["created_at"]) > _parse(first_brand["created_at"])
                and r.get("in_reply_to")
            ]
            assert len(replies_after) <= 1


def test_generator__is_deterministic_and_matches_the_bundled_files(tmp_path: Path) -> None:
    first = generate.write(tmp_path / "a")
    second = generate.write(tmp_path / "b")
    for made, again, bundled in zip(first, second, (MENTIONS_PATH, TRUTH_PATH), strict=True):
        assert made.read_bytes() == again.read_bytes() == bundled.read_bytes()


def test_generator__command_line_writes_into_out(tmp_path: Path) -> None:
    assert generate.main(["--out", str(tmp_path)]) == 0
    assert (tmp_path / "mentions.jsonl").read_bytes() == MENTIONS_PATH.read_bytes()
