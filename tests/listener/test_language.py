"""The one language detector: a guess with its confidence, or none when the text is too thin."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.records import AuthorRecord, MentionRecord
from listener.language import MIN_CONFIDENCE, guess_language, language_of, with_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("This product has been terrible since the last update", "en"),
        ("Ce produit est vraiment nul depuis la dernière mise à jour", "fr"),
        ("Der Kundendienst ist wirklich schlecht und niemand antwortet", "de"),
        ("これは本当にひどいサービスです", "ja"),
        ("خدمة العملاء سيئة جدا", "ar"),
        # a few English function words outweigh n-grams that short tweets fool
        ("@VirginAmerica\nwjere is our luggage #so slow at lax", "en"),
        ("The Google car must be stopped.", "en"),
        ("@USAirways but my bag is still missing", "en"),
    ],
)
def test_guess__names_the_language_with_a_confidence(text: str, code: str) -> None:
    guess = guess_language(text)
    assert guess is not None and guess.code == code
    assert MIN_CONFIDENCE <= guess.confidence <= 1.0


def test_guess__spanish_with_some_english_looking_words_is_not_english() -> None:
    text = "@brightloop me cobraron dos veces este mes y nadie me contesta en el chat. ¿Qué pasa?"
    guess = guess_language(text)
    assert guess is not None and guess.code == "es"


@pytest.mark.parametrize(
    "text",
    ["🔥🔥 !!", "lol ok", "", "😡😡😡", "@brightloop thanks", "ok 👍 #fail", "https://x.example/a"],
)
def test_guess__too_little_to_tell_is_no_guess(text: str) -> None:
    assert guess_language(text) is None  # "lol ok" is not Indonesian


def _record(text: str, lang: str | None = None) -> MentionRecord:
    author = AuthorRecord(platform="mastodon", platform_id="u1", handle="critic")
    return MentionRecord(
        source="mastodon",
        external_id="1",
        author=author,
        text=text,
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
        lang=lang,
    )


def test_with_language__fills_a_missing_language_and_keeps_a_platform_tag() -> None:
    guessed = with_language(_record("Le service client est vraiment nul, je suis très déçu"))
    assert guessed.lang == "fr" and guessed.lang_confidence is not None
    tagged = with_language(_record("Le service client est vraiment nul", lang="pt"))
    assert (tagged.lang, tagged.lang_confidence) == ("pt", None)
    unclear = with_language(_record("lol ok"))
    assert (unclear.lang, unclear.lang_confidence) == (None, None)


def test_language_of__is_what_a_stored_mention_would_carry() -> None:
    assert language_of("Der Kundendienst ist wirklich schlecht und niemand antwortet")[0] == "de"
    assert language_of("lol ok") == (None, None)
