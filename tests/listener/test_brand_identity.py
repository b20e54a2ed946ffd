"""Who the brand is: an account on its own platform (``brand.accounts``), not a handle alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.config import BrandAccounts, BrandSettings
from core.records import AuthorRecord, MentionRecord
from listener.base import Fetched
from listener.importer import import_file
from listener.matching import BrandIdentity, Matcher
from listener.sources.x import build_rules
from store.models import Author
from tests.listener.conftest import T0
from tests.listener.test_loop import RunLoop, Scripted

ACCOUNTS = BrandAccounts(
    x=["BrightLoop", "id:443421086316011524"],
    reddit=["brightloop"],
    bluesky=["brightloop.bsky.social", "did:plc:brandbrandbrand"],
    mastodon=["brightloop@mastodon.social"],
)
BRAND = BrandIdentity.from_settings(ACCOUNTS, mastodon_base_url="https://mastodon.social")


def _author(platform: str, handle: str, platform_id: str | None = None) -> AuthorRecord:
    return AuthorRecord(platform=platform, platform_id=platform_id or f"id-{handle}", handle=handle)


@pytest.mark.parametrize(
    ("platform", "handle", "platform_id"),
    [
        ("x", "brightloop", None),
        ("x", "@BRIGHTLOOP", None),
        ("x", "renamed_brand", "443421086316011524"),  # the id survives a rename
        ("reddit", "BrightLoop", None),
        ("bluesky", "brightloop.bsky.social", None),
        ("bluesky", "new-domain.example", "did:plc:brandbrandbrand"),
        ("mastodon", "brightloop@mastodon.social", None),
        ("mastodon", "brightloop", None),  # local to the instance read: mastodon.social
    ],
)
def test_identity__configured_account_is_the_brand(
    platform: str, handle: str, platform_id: str | None
) -> None:
    assert BRAND.is_brand(_author(platform, handle, platform_id))


@pytest.mark.parametrize(
    ("platform", "handle", "platform_id"),
    [
        ("bluesky", "brightloop", None),  # the brand's X name, on another platform
        ("mastodon", "brightloop@evil.example", None),  # same name, another instance
        ("mastodon", "BrightLoop.bsky.social", None),
        ("reddit", "brightloop.bsky.social", None),
        ("x", "brightloop.bsky.social", None),
        ("reddit", "someone", "443421086316011524"),  # X's id means nothing on Reddit
        ("x", "bright\u200bloop", None),  # invisible characters make another name
        ("x", "ｂｒｉｇｈｔｌｏｏｐ", None),  # so do full-width look-alikes
        ("x", "brightloop_", None),
    ],
)
def test_identity__same_name_elsewhere_is_not_the_brand(
    platform: str, handle: str, platform_id: str | None
) -> None:
    assert not BRAND.is_brand(_author(platform, handle, platform_id))


def test_identity__bare_mastodon_user_is_local_to_the_instance_read() -> None:
    elsewhere = BrandIdentity.from_settings(ACCOUNTS, mastodon_base_url="https://other.social")
    bare = BrandIdentity.from_settings(BrandAccounts(mastodon=["brightloop"]))

    assert not elsewhere.is_brand(_author("mastodon", "brightloop"))
    assert bare.is_brand(_author("mastodon", "brightloop"))
    assert not bare.is_brand(_author("mastodon", "brightloop@mastodon.social"))


def test_matcher__brand_post_without_keyword_passes_only_on_its_platform() -> None:
    matcher = Matcher(["brightloop"], BRAND)

    def post(platform: str, handle: str) -> MentionRecord:
        return MentionRecord(
            source=platform,
            external_id="1",
            author=_author(platform, handle),
            text="We're on it, sorry for the wait",
            created_at=T0,
        )

    assert matcher.matches(post("x", "brightloop"))
    assert not matcher.matches(post("mastodon", "brightloop@evil.example"))
    assert matcher.matches_text("thanks @brightloop.bsky.social")  # a mention of the account


def test_settings__handles_refused_with_pointer_to_accounts() -> None:
    with pytest.raises(ValidationError) as err:
        BrandSettings.model_validate({"handles": ["brightloop"]})
    assert "brand.accounts" in str(err.value)


@pytest.mark.parametrize(
    "accounts",
    [{"mastodon": ["id:1093096636"]}, {"x": [" "]}, {"x": ["two words"]}, {"reddit": ["id:"]}],
)
def test_settings__bad_account_entries_refused(accounts: dict[str, list[str]]) -> None:
    with pytest.raises(ValidationError):
        BrandAccounts.model_validate(accounts)


def test_settings__defaults_are_the_samples_accounts_on_every_platform() -> None:
    brand = BrandIdentity.from_settings(BrandSettings().accounts)
    for platform in ("x", "reddit", "bluesky", "mastodon"):
        assert brand.is_brand(_author(platform, "brightloop"))


def test_x_rules__only_the_x_accounts_by_name_and_id() -> None:
    rules = build_rules(["brightloop"], ACCOUNTS.x)

    assert rules == [
        "(brightloop OR @BrightLoop OR from:BrightLoop OR from:443421086316011524) -is:retweet"
    ]


def test_loop__marks_only_the_configured_account(engine: Engine, run_loop: RunLoop) -> None:
    """A source's own ``is_brand`` counts for nothing; the accounts decide."""
    posts = [
        MentionRecord(
            source="mastodon",
            external_id=str(n),
            author=AuthorRecord(
                platform="mastodon", platform_id=f"u{n}", handle=handle, is_brand=claimed
            ),
            text="brightloop: we're looking into it",
            created_at=T0,
        )
        for n, handle, claimed in [
            (1, "brightloop", False),
            (2, "brightloop@evil.example", True),
        ]
    ]
    src = Scripted([[Fetched(p, position=p.external_id) for p in posts]])

    run_loop(src, lambda s: s.stored >= 2, matcher=Matcher(["brightloop"], BRAND))

    assert _brand_flags(engine) == {
        ("mastodon", "brightloop"): True,
        ("mastodon", "brightloop@evil.example"): False,
    }


ROWS = [
    # the brand on X, flagged and not: both are the brand
    {"source": "x", "id": "1", "author": "brightloop", "is_brand": True},
    {"source": "x", "id": "2", "author": "BrightLoop"},
    # the same name on Bluesky claims to be the brand: not believed
    {"source": "bluesky", "id": "3", "author": "brightloop", "is_brand": True},
    # an ordinary account claiming it
    {"source": "reddit", "id": "4", "author": "mallory", "is_brand": "yes"},
    {"source": "mastodon", "id": "5", "author": "brightloop@mastodon.social"},
]


@pytest.mark.parametrize("dry_run", [False, True])
def test_import__is_brand_trusted_only_for_configured_accounts(
    any_engine: Engine, tmp_path: Path, dry_run: bool
) -> None:
    path = tmp_path / "m.jsonl"
    rows = [{"text": "brightloop", "created_at": "2026-03-01T12:00:00Z", **row} for row in ROWS]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")

    report = import_file(None if dry_run else any_engine, path, brand=BRAND, dry_run=dry_run)

    assert report.bad == [] and report.good == 5
    assert report.untrusted_brand == [3, 4]
    if dry_run:
        return
    assert _brand_flags(any_engine) == {
        ("x", "brightloop"): True,
        ("x", "BrightLoop"): True,
        ("bluesky", "brightloop"): False,
        ("reddit", "mallory"): False,
        ("mastodon", "brightloop@mastodon.social"): True,
    }


def test_import__malformed_is_brand_is_still_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    row = {"source": "x", "id": "1", "author": "brightloop", "text": "hi",
           "created_at": "2026-03-01T12:00:00Z", "is_brand": "maybe"}  # fmt: skip
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")

    report = import_file(None, path, brand=BRAND, dry_run=True)

    assert [b.line for b in report.bad] == [1] and "is_brand" in report.bad[0].reason


def _brand_flags(engine: Engine) -> dict[tuple[str, str], bool]:
    with Session(engine) as s:
        return {(a.platform, a.handle): a.is_brand for a in s.exec(select(Author)).all()}
