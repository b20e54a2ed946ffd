"""Write the bundled Brightloop sample: ``python -m sample.generate [--out DIR]``.

Reads the content from ``sample/data/*.yaml``. The output is deterministic: the same data and
code write byte-identical files every time.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sample import ids
from sample.data import load
from sample.model import OUTCOMES, Post
from sample.people import People
from sample.scenarios import BUILDERS, Builder
from sample.schema import SampleData

SEED = "brightloop-sample-2026-11"
DATA_DIR = Path(__file__).resolve().parent
MENTIONS_FILE = "mentions.jsonl"
TRUTH_FILE = "truth.jsonl"

#: How many rows get each deliberate quirk.
DUPLICATES = 12
OUT_OF_ORDER = 6
LOCAL_OFFSET_ROWS = 6
LANG_MISSING_RATE = 0.1
URL_MISSING_RATE = 0.04
AUTHOR_ID_MISSING_RATE = 0.03

ZERO_WIDTH = frozenset("\u200b\u200c\u200e\u200f\u2060\ufeff")
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
#: Markup that would run or load something if a board rendered it.
_MARKUP = re.compile(r"<[a-z]+[\s>/]|javascript:|!\[[^\]]*\]\(", re.IGNORECASE)


def emoji_count(text: str) -> int:
    """Pictographic characters in ``text`` (joiners and variation selectors excluded)."""
    return sum(
        1
        for ch in text
        if ord(ch) >= 0x1F000 or 0x2600 <= ord(ch) <= 0x27BF or 0x2B00 <= ord(ch) <= 0x2BFF
    )


def derived_tags(post: Post) -> set[str]:
    """Tags that follow from a post's text, language and author."""
    tags = set()
    if post.lang != "en":
        tags.add("foreign")
    if _RTL.search(post.text):
        tags.add("rtl")
    if ZERO_WIDTH & set(post.text):
        tags.add("zero_width")
    if emoji_count(post.text) >= 3:
        tags.add("emoji")
    if len(post.text) >= 2000:
        tags.add("long")
    if post.author.is_brand:
        tags.add("brand_reply")
    if _MARKUP.search(post.text):
        tags.add("hostile_markup")
    return tags


def build(seed: str = SEED, data: SampleData | None = None) -> tuple[list[Post], People]:
    """Run every scenario and give each post and author its platform id, in time order."""
    data = data or load()
    people = People(f"{seed}:people", data.people)
    builder = Builder(people, seed, data)
    for scenario in BUILDERS:
        scenario(builder)
    rng = random.Random(f"{seed}:ids")
    for author in people.authors:
        author.author_id = ids.author_id(author, rng)
    order = {id(post): index for index, post in enumerate(builder.posts)}
    posts = sorted(builder.posts, key=lambda p: (p.created, p.source, order[id(p)]))
    seen: set[tuple[str, str]] = set()
    for post in posts:
        post.id = ids.post_id(post, rng)
        while (post.source, post.id) in seen:
            post.id = ids.post_id(post, rng)
        seen.add((post.source, post.id))
    for post in posts:
        post.url = ids.post_url(post)
        post.tags |= derived_tags(post)
    return posts, people


def _timestamp(when: datetime, source: str, offset_hours: int | None = None) -> str:
    if offset_hours is not None:
        local = when.astimezone(timezone(timedelta(hours=offset_hours)))
        return local.isoformat(timespec="milliseconds")
    if source == "reddit":
        return when.isoformat(timespec="seconds")
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _row(
    post: Post,
    threaded: set[int],
    *,
    keep_lang: bool,
    keep_url: bool,
    keep_author_id: bool,
    offset: int | None,
) -> dict[str, Any]:
    author = post.author
    row: dict[str, Any] = {"source": post.source, "id": post.id, "author": author.handle}
    if keep_author_id:
        row["author_id"] = author.author_id
    for key, value in (
        ("author_name", author.name),
        ("followers", author.followers),
        ("following", author.following),
    ):
        if value is not None:
            row[key] = value
    row["account_created"] = _timestamp(author.created, post.source)
    if author.is_brand:
        row["is_brand"] = True
    row["text"] = post.text
    row["created_at"] = _timestamp(post.created, post.source, offset)
    if keep_lang:
        row["lang"] = post.lang
    if keep_url and post.url:
        row["url"] = post.url
    if post.parent is not None:
        row["in_reply_to"] = post.parent.id
        row["thread_id"] = post.root.id
    elif id(post) in threaded:
        row["thread_id"] = post.id
    if post.deleted:
        row["deleted"] = True
    return row


def _dump(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False)


def mention_lines(posts: Sequence[Post], people: People, seed: str = SEED) -> list[Post]:
    """The export's order: by time, a few rows moved, a dozen rows exported twice."""
    rng = random.Random(f"{seed}:order")
    ordered = list(posts)
    movable = [i for i, p in enumerate(ordered) if i > 150]
    for index in sorted(rng.sample(movable, OUT_OF_ORDER), reverse=True):
        post = ordered.pop(index)
        ordered.insert(index - rng.randint(15, 120), post)
    candidates = [p for p in ordered if not p.deleted and not p.author.is_brand]
    twice = {id(p) for p in rng.sample(candidates, DUPLICATES)}
    schedule: dict[int, list[Post]] = {}
    for index, post in enumerate(ordered):
        if id(post) in twice:
            schedule.setdefault(index + rng.randint(0, 25), []).append(post)
    result: list[Post] = []
    for index, post in enumerate(ordered):
        result.append(post)
        result.extend(schedule.pop(index, []))
    for leftovers in schedule.values():
        result.extend(leftovers)
    for post in result:
        if id(post) in twice:
            post.tags.add("duplicate")
    return result


def render(seed: str = SEED, data: SampleData | None = None) -> tuple[str, str]:
    """The text of the mentions file and the truth file."""
    data = data or load()
    posts, people = build(seed, data)
    exported = mention_lines(posts, people, seed)
    rng = random.Random(f"{seed}:fields")
    threaded = {id(p.root) for p in posts if p.parent is not None}
    no_author_id = {
        id(a) for a in people.authors if not a.is_brand and rng.random() < AUTHOR_ID_MISSING_RATE
    }
    bluesky = [p for p in posts if p.source == "bluesky" and not p.author.is_brand]
    offsets = {id(p): rng.choice((-8, -5, 1, 9)) for p in rng.sample(bluesky, LOCAL_OFFSET_ROWS)}
    rendered: dict[int, str] = {}
    for post in posts:
        rendered[id(post)] = _dump(
            _row(
                post,
                threaded,
                keep_lang=rng.random() >= LANG_MISSING_RATE,
                keep_url=rng.random() >= URL_MISSING_RATE,
                keep_author_id=id(post.author) not in no_author_id,
                offset=offsets.get(id(post)),
            )
        )
    mentions = "".join(rendered[id(post)] + "\n" for post in exported)

    truth: list[str] = []
    written: set[int] = set()
    for post in exported:
        if id(post) in written:
            continue
        written.add(id(post))
        truth.append(
            _dump(
                {
                    "kind": "mention",
                    "source": post.source,
                    "id": post.id,
                    "tags": sorted(post.tags),
                    "sentiment": post.sentiment,
                    "claim_id": post.claim_id,
                }
            )
        )
    posted = {id(p.author) for p in posts}
    for author in sorted(people.authors, key=lambda a: (a.platform, a.handle.lower())):
        if id(author) in posted:
            truth.append(
                _dump(
                    {
                        "kind": "author",
                        "platform": author.platform,
                        "handle": author.handle,
                        "persona": author.persona,
                        "expected_outcome": OUTCOMES[author.persona],
                    }
                )
            )
    for claim in data.claims.claims:
        truth.append(_dump({"kind": "claim", **claim.model_dump()}))
    return mentions, "".join(line + "\n" for line in truth)


def write(out_dir: Path = DATA_DIR, seed: str = SEED) -> tuple[Path, Path]:
    """Write ``mentions.jsonl`` and ``truth.jsonl`` into ``out_dir``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    mentions, truth = render(seed)
    mentions_path, truth_path = out_dir / MENTIONS_FILE, out_dir / TRUTH_FILE
    mentions_path.write_bytes(mentions.encode("utf-8"))
    truth_path.write_bytes(truth.encode("utf-8"))
    return mentions_path, truth_path


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="folder to write into")
    args = parser.parse_args(argv)
    mentions_path, truth_path = write(args.out)
    lines = mentions_path.read_text(encoding="utf-8").count("\n")
    print(f"wrote {lines} mentions to {mentions_path} and ground truth to {truth_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
