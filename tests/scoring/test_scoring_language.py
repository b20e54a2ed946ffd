"""The language gate: trust real platform tags, flag only confident foreign guesses."""

from __future__ import annotations

import pytest

from scoring.language import LanguageGate


@pytest.fixture(scope="module")
def gate() -> LanguageGate:
    return LanguageGate({"en"})


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Le service client de Brightloop est vraiment nul, je suis très déçu", "fr"),
        ("Der Kundendienst ist wirklich schlecht und niemand antwortet", "de"),
        ("これは本当にひどいサービスです", "ja"),
    ],
)
def test_gate__confident_foreign_text_is_unsupported(
    gate: LanguageGate, text: str, code: str
) -> None:
    verdict = gate.verdict(text)
    assert verdict.language == code
    assert verdict.supported is False


@pytest.mark.parametrize("text", ["lol ok", "😡😡😡", "", "@brightloop thanks", "ok 👍 #fail"])
def test_gate__short_or_ambiguous_text_gets_the_benefit_of_the_doubt(
    gate: LanguageGate, text: str
) -> None:
    assert gate.verdict(text).supported is True


def test_gate__real_platform_tag_wins_and_und_is_ignored(gate: LanguageGate) -> None:
    assert gate.verdict("bonjour tout le monde", "en-GB").supported is True
    assert gate.verdict("hello everyone, how are you", "pt").supported is False
    assert gate.verdict("hello everyone, how are you", "und").supported is True


def test_gate__multilingual_model_supports_everything() -> None:
    verdict = LanguageGate(None).verdict("Der Kundendienst ist wirklich schlecht")
    assert verdict.supported is True
    assert verdict.language == "de"


@pytest.mark.parametrize(
    "text",
    [
        "@VirginAmerica\nwjere is our luggage #so slow at lax",
        "The Google car must be stopped.",
        "@USAirways but my bag is still missing",
        "Restaurants intercept #DeflateGate http://t.co/x",
    ],
)
def test_gate__short_english_tweets_are_not_flagged(gate: LanguageGate, text: str) -> None:
    assert gate.verdict(text).supported is True
