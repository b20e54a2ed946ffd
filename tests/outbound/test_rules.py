"""The rules a reply must pass before approval: lengths, placeholders, handles, inert names."""

from __future__ import annotations

import pytest

from core.errors import InputError
from outbound.rules import (
    PLATFORMS,
    ReplyRefused,
    check_reply,
    count_reply,
    ensure_sendable,
    find_placeholders,
    inert_name,
    inert_quote,
    prepare_text,
    reply_limit,
)

LONG_URL = "https://brightloop.com/help/outage-credits?utm_source=reply&campaign=" + "x" * 80
FLAG = "\U0001f1eb\U0001f1f7"  # 🇫🇷: two regional indicators, one grapheme
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👨‍👩‍👧: a ZWJ sequence, one grapheme
THUMB = "\U0001f44d\U0001f3fd"  # 👍🏽: emoji and skin tone, one grapheme
E_ACUTE = "e\u0301"  # é written as e + combining acute: one grapheme, two code points


def codes(problems: list) -> list[str]:
    return [p.code for p in problems]


# --- lengths --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "limit"), [("x", 280), ("bluesky", 300), ("mastodon", 500), ("reddit", 10_000)]
)
def test_exactly_at_the_limit_passes_and_one_over_is_refused(platform: str, limit: int) -> None:
    handle = "bob@mastodon.social" if platform == "mastodon" else None
    room = limit - (len("@bob@mastodon.social ") - len("@mastodon.social")) if handle else limit
    assert check_reply(platform, "a" * room, recipient_handle=handle) == []
    problems = check_reply(platform, "a" * (room + 1), recipient_handle=handle)
    assert codes(problems) == ["too_long"]
    assert f"{limit + 1:,} of {limit:,}" in problems[0].message
    assert "1 too long" in problems[0].message


def test_x_reason_gives_the_count_the_limit_and_the_excess() -> None:
    (problem,) = check_reply("x", "a" * 297)
    assert problem.message == "X counts this reply as 297 of 280 characters: 17 too long."


def test_x_counts_a_long_url_as_23() -> None:
    assert len(LONG_URL) > 100
    assert count_reply("x", LONG_URL) == 23
    text = "a" * (280 - 24) + " " + LONG_URL
    assert count_reply("x", text) == 280
    assert check_reply("x", text) == []
    assert codes(check_reply("x", "a" + text)) == ["too_long"]


def test_x_counts_a_bare_domain_as_a_url_too() -> None:
    assert count_reply("x", "brightloop.com") == 23


@pytest.mark.parametrize("wide", ["日", "語", "한", "😀", FLAG, FAMILY, THUMB])
def test_x_weighs_cjk_and_each_emoji_as_two(wide: str) -> None:
    assert count_reply("x", wide) == 2
    assert check_reply("x", wide * 140) == []
    assert codes(check_reply("x", wide * 140 + "a")) == ["too_long"]


def test_x_counts_latin_accents_as_one_even_when_combined() -> None:
    # X normalises to NFC first, so e + combining accent is one é
    assert count_reply("x", E_ACUTE * 280) == 280
    assert check_reply("x", E_ACUTE * 280) == []


def test_x_direct_messages_are_counted_in_characters_up_to_10000() -> None:
    assert check_reply("x", "a" * 10_000, private=True) == []
    (problem,) = check_reply("x", "a" * 10_001, private=True)
    assert "direct message as 10,001 of 10,000" in problem.message


def test_x_refuses_characters_it_rejects() -> None:
    (problem,) = check_reply("x", "thanks\ufffe")
    assert problem.code == "invalid_characters"
    assert "U+FFFE" in problem.message


@pytest.mark.parametrize("cluster", [FLAG, FAMILY, THUMB, E_ACUTE, "\u0915\u094d\u0937"])
def test_bluesky_counts_graphemes(cluster: str) -> None:
    assert count_reply("bluesky", cluster) == 1
    assert count_reply("bluesky", cluster * 300) == 300
    assert check_reply("bluesky", cluster * 2 + "a" * 298) == []
    (problem,) = [p for p in check_reply("bluesky", cluster + "a" * 300) if p.code == "too_long"]
    assert "301 of 300 characters (graphemes): 1 too long" in problem.message


def test_bluesky_refuses_text_over_its_byte_limit_even_within_300_graphemes() -> None:
    text = FAMILY * 200  # 200 graphemes, 18 bytes each
    assert count_reply("bluesky", text) == 200
    (problem,) = check_reply("bluesky", text)
    assert problem.code == "too_many_bytes"
    assert "3,600 bytes: 600 too many" in problem.message


def test_bluesky_chat_messages_allow_1000_graphemes() -> None:
    assert check_reply("bluesky", "a" * 1000, private=True) == []
    assert codes(check_reply("bluesky", "a" * 1001, private=True)) == ["too_long"]


def test_mastodon_uses_the_instance_limit_passed_in() -> None:
    handle = "bob@mastodon.social"
    assert reply_limit("mastodon") == 500
    text = "a" * 600
    assert codes(check_reply("mastodon", text, recipient_handle=handle)) == ["too_long"]
    assert check_reply("mastodon", text, recipient_handle=handle, limit=5000) == []
    (problem,) = check_reply("mastodon", "a" * 1000, recipient_handle=handle, limit=900)
    assert problem.message.startswith("This Mastodon instance counts this reply as 1,005 of 900")


def test_mastodon_counts_urls_as_23_and_mentions_without_their_instance() -> None:
    assert count_reply("mastodon", LONG_URL) == 23
    assert count_reply("mastodon", "@bob@a.very.long.instance.example hi") == len("@bob hi")
    assert count_reply("mastodon", FAMILY + FLAG) == 2


def test_the_handle_added_on_mastodon_counts_towards_the_limit() -> None:
    handle = "bob@mastodon.social"  # counted as "@bob " = 5
    assert check_reply("mastodon", "a" * 495, recipient_handle=handle) == []
    (problem,) = check_reply("mastodon", "a" * 496, recipient_handle=handle)
    assert "501 of 500" in problem.message


def test_reddit_allows_10000_characters_in_comments_and_messages() -> None:
    for private in (False, True):
        assert check_reply("reddit", "a" * 10_000, private=private) == []
        assert codes(check_reply("reddit", "a" * 10_001, private=private)) == ["too_long"]


def test_a_limit_must_be_a_positive_number() -> None:
    for bad in (0, -5, True):
        with pytest.raises(ValueError, match="positive"):
            reply_limit("mastodon", limit=bad)


# --- empty, placeholders, untouched templates -----------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "\u200b\u200d\u2060", " \u202e "])
@pytest.mark.parametrize("platform", PLATFORMS)
def test_empty_replies_are_refused(platform: str, text: str) -> None:
    (problem,) = check_reply(platform, text, recipient_handle="bob@m.social")
    assert problem.code == "empty"
    assert "empty" in problem.message


@pytest.mark.parametrize(
    "hole",
    [
        "{{ name }}",
        "{{name}}",
        "{% if fact %}",
        "{name}",
        "${name}",
        "%(name)s",
        "[NAME]",
        "[Customer Name]",
        "[first_name]",
        "<name>",
        "<insert link here>",
        "[your account email]",
        "___",
        "TODO",
        "FIXME",
        "TBD",
        "XXX",
        "Lorem ipsum",
    ],
)
def test_unfilled_parts_of_a_template_are_refused(hole: str) -> None:
    text = f"Hi {hole}, thanks for flagging this. We're looking into it now."
    (problem,) = check_reply("x", text)
    assert problem.code == "placeholder"
    assert hole in problem.message


def test_the_playbooks_own_template_source_is_caught() -> None:
    source = (
        "Hi {{ name }}, thanks for flagging this. We hear you and we're looking into it now. "
        "{% if fact %}For the record: {{ fact }}{% endif %}"
    )
    assert find_placeholders(source) == [
        "{{ name }}",
        "{% if fact %}",
        "{{ fact }}",
        "{% endif %}",
    ]
    (problem,) = check_reply("reddit", source)
    assert "and 1 more" in problem.message


@pytest.mark.parametrize(
    "text",
    [
        "Hi Ana, thanks for flagging this. We're looking into it now.",
        "Sorry [sic] about that, Ana <3",
        "See [our status page](https://brightloop.example/status) for updates.",
        "It was 5%, not 40% - the details are at brightloop.example/news",
        "Ana_B, I'm on it",
        "We're sorry. [Edit: typo]",
        "OK so XXL plans are coming",
    ],
)
def test_ordinary_replies_are_not_taken_for_placeholders(text: str) -> None:
    assert find_placeholders(text) == []


def test_a_suggestion_sent_word_for_word_is_refused_when_the_template_asks_for_an_edit() -> None:
    suggestion = "Ana, that sounds really frustrating and we want to put it right."
    (problem,) = check_reply("x", "  " + suggestion.replace(" ", "  "), template_text=suggestion)
    assert problem.code == "untouched_template"
    assert "personal" in problem.message
    edited = suggestion + " Your line is fixed now."
    assert check_reply("x", edited, template_text=suggestion) == []
    # without the template, the same words pass
    assert check_reply("x", suggestion) == []


def test_every_problem_is_reported_at_once() -> None:
    text = "Hi {{ name }} " + "a" * 300
    assert codes(check_reply("x", text, template_text=text)) == [
        "placeholder",
        "untouched_template",
        "too_long",
    ]


def test_unknown_platforms_are_refused() -> None:
    assert codes(check_reply("myspace", "hello")) == ["unknown_platform"]
    with pytest.raises(InputError, match="myspace"):
        prepare_text("myspace", "hello", recipient_handle=None, private=False)


def test_ensure_sendable_returns_the_prepared_text_or_raises_with_every_reason() -> None:
    assert (
        ensure_sendable("mastodon", "Thanks!", recipient_handle="bob@m.social")
        == "@bob@m.social Thanks!"
    )
    with pytest.raises(ReplyRefused) as caught:
        ensure_sendable("x", "TODO " + "a" * 300)
    assert isinstance(caught.value, InputError)
    assert codes(caught.value.problems) == ["placeholder", "too_long"]
    assert "TODO" in str(caught.value) and "too long" in str(caught.value)


# --- the handle -----------------------------------------------------------------------------


@pytest.mark.parametrize("private", [False, True])
def test_mastodon_replies_start_with_the_authors_handle(private: bool) -> None:
    text = prepare_text("mastodon", "Thanks!", recipient_handle="bob@m.social", private=private)
    assert text == "@bob@m.social Thanks!"
    again = prepare_text("mastodon", text, recipient_handle="bob@m.social", private=private)
    assert again == text


@pytest.mark.parametrize(
    "text",
    [
        "@Bob@M.Social thanks!",
        "Thanks, @BOB@m.social!",
        "Thanks @bob@m.social.",
    ],
)
def test_a_handle_already_in_the_text_is_not_added_twice(text: str) -> None:
    assert prepare_text("mastodon", text, recipient_handle="@bob@m.social", private=False) == text


def test_someone_else_or_an_email_address_is_not_the_author() -> None:
    for text in ["cc @bobby@m.social", "write to bob@m.social", "@bob@m.socially"]:
        prepared = prepare_text("mastodon", text, recipient_handle="bob@m.social", private=False)
        assert prepared == "@bob@m.social " + text


def test_a_local_mastodon_account_is_mentioned_without_an_instance() -> None:
    assert prepare_text("mastodon", "Hi", recipient_handle="bob", private=False) == "@bob Hi"


@pytest.mark.parametrize("platform", ["x", "reddit", "bluesky"])
def test_other_platforms_get_the_text_as_written(platform: str) -> None:
    text = "Thanks for flagging this."
    assert prepare_text(platform, text, recipient_handle="bob", private=False) == text
    assert prepare_text(platform, text, recipient_handle="bob", private=True) == text


def test_mastodon_without_a_handle_needs_a_mention_in_the_text() -> None:
    (problem,) = check_reply("mastodon", "Thanks!")
    assert problem.code == "no_recipient"
    assert check_reply("mastodon", "@bob@m.social Thanks!") == []


def test_a_malformed_mastodon_handle_is_refused_not_mangled() -> None:
    assert codes(check_reply("mastodon", "Thanks!", recipient_handle="bob smith")) == [
        "bad_recipient"
    ]
    with pytest.raises(InputError, match="not a Mastodon account"):
        prepare_text("mastodon", "Thanks!", recipient_handle="bob smith", private=False)


# --- inert names and quotes -----------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("@everyone", "everyone"),
        ("@here @channel", "here channel"),
        ("Ana @bob@evil.social", "Ana bob evil"),
        ("\uff20bob", "bob"),  # the full-width at sign X also reads as a mention
        ("alice.bsky.social", "alice"),
        ("Ana https://evil.example.com/phish", "Ana"),
        ("Ana www.evil.com", "Ana"),
        ("Bob\u202egnp.exe", "Bobgnp.exe"),
        ("Bright\u200dloop\u200b", "Brightloop"),
        ("Ana\n\nB", "Ana B"),
    ],
)
def test_hostile_names_mention_and_link_nobody(platform: str, name: str, expected: str) -> None:
    inert = inert_name(platform, name)
    if platform == "reddit":
        inert = inert.replace("\\", "")
    assert inert == expected
    assert "@" not in inert and "\uff20" not in inert
    assert "\u202e" not in inert and "\u200d" not in inert


def test_a_markdown_link_in_a_name_loses_its_link() -> None:
    for platform in PLATFORMS:
        inert = inert_name(platform, "[free money](https://evil.com)")
        assert "evil" not in inert and "http" not in inert
        assert "free money" in inert


def test_reddit_names_are_escaped_markdown() -> None:
    assert inert_name("reddit", "**Ana** _the_ [best]") == r"\*\*Ana\*\* \_the\_ \[best\]"
    assert inert_name("reddit", "> # Ana | `x` ~~y~~ ^z") == (r"\> \# Ana \| \`x\` \~\~y\~\~ \^z")
    assert inert_name("reddit", "1. Ana") == r"1\. Ana"
    assert inert_name("reddit", "- Ana") == r"\- Ana"
    assert inert_name("reddit", "&#8238;Ana") == r"\&\#8238;Ana"


def test_reddit_user_and_subreddit_links_are_defused() -> None:
    assert inert_name("reddit", "u/spez and /r/all") == r"u\/spez and /r\/all"
    # elsewhere the same name is plain text and stays as it is
    assert inert_name("mastodon", "u/spez and /r/all") == "u/spez and /r/all"


def test_names_stay_plain_where_the_platform_has_no_markdown() -> None:
    for platform in ("x", "mastodon", "bluesky"):
        assert inert_name(platform, "**Ana** (the_best)") == "**Ana** (the_best)"


def test_an_empty_or_missing_name_is_empty_so_callers_can_fall_back() -> None:
    assert inert_name("x", None) == ""
    assert inert_name("x", "@") == ""
    assert inert_name("x", "https://evil.com") == ""
    assert (inert_name("x", "\u202e") or "there") == "there"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_quoted_words_ping_nobody_and_link_nowhere(platform: str) -> None:
    quote = "@bob \uff20carol said\nhttps://evil.com/x and evil.com\u202e are fine"
    inert = inert_quote(platform, quote)
    assert "@bob" not in inert and "@carol" not in inert and "\uff20" not in inert
    assert "evil" not in inert
    assert "\n" not in inert and "\u202e" not in inert
    assert "link removed" in inert
    assert "bob" in inert and "carol said" in inert


def test_quotes_on_reddit_are_escaped_and_elsewhere_kept() -> None:
    assert inert_quote("reddit", "this *scam* u/brand") == r"this \*scam\* u\/brand"
    assert inert_quote("bluesky", "this *scam*") == "this *scam*"
    assert inert_quote("x", "") == ""


def test_the_stand_in_for_pkg_resources_is_withdrawn_after_import() -> None:
    import sys

    assert count_reply("x", "hello") == 5
    leftover = sys.modules.get("pkg_resources")
    assert leftover is None or getattr(leftover, "__file__", None) is not None
