"""The bundled offline scorer on hostile input: emoji, empty, huge and foreign texts."""

from __future__ import annotations

import pytest

from scoring.base import UNSUPPORTED_PROBS, Scorer, TextInput, as_inputs
from scoring.default import DefaultScorer

ODD_TEXTS = [
    "",
    "   \n\t ",
    "😡😡😡🔥🔥",
    "x" * 10_000,
    ("@brightloop my bill doubled again " * 400)[:10_000],
    "\u200b\u200b\u202e@brightloop",
    "=cmd|' /C calc'!A0",
    "خدمة العملاء سيئة جدا",
    "Le service client de Brightloop est vraiment nul, je suis très déçu",
]


def test_default_scorer__implements_the_protocol(default_scorer: DefaultScorer) -> None:
    assert isinstance(default_scorer, Scorer)
    assert default_scorer.model_name and default_scorer.model_version


def test_default_scorer__odd_texts_get_valid_scores(default_scorer: DefaultScorer) -> None:
    scores = default_scorer.score(as_inputs(ODD_TEXTS))
    assert len(scores) == len(ODD_TEXTS)
    for s in scores:
        assert abs(s.p_negative + s.p_neutral + s.p_positive - 1) < 1e-4
        assert 0.0 <= s.toxicity <= 1.0
        assert -1.0 <= s.sentiment <= 1.0
        assert s.model_name == default_scorer.model_name
    assert scores[0].sentiment_label == "neutral"


def test_default_scorer__foreign_text_is_flagged_not_guessed(default_scorer: DefaultScorer) -> None:
    french, arabic = default_scorer.score(
        [TextInput(ODD_TEXTS[-1], "fr", 0.93), TextInput(ODD_TEXTS[-2], "ar")]
    )
    for s in (french, arabic):
        assert s.language_supported is False
        assert s.sentiment_label == "neutral"
        assert s.toxicity < 0.5
    assert french.language == "fr"


def test_default_scorer__an_unsure_or_missing_language_is_read(
    default_scorer: DefaultScorer,
) -> None:
    unsure, unknown = default_scorer.score(
        [TextInput("my bill doubled again", "nl", 0.3), TextInput("my bill doubled again")]
    )
    assert unsure.language_supported is True and unknown.language_supported is True
    assert unsure.p_negative == unknown.p_negative != 0.2


def test_default_scorer__platform_language_tag_wins(default_scorer: DefaultScorer) -> None:
    (tagged,) = default_scorer.score([TextInput("ok thanks", lang="de")])
    (untagged,) = default_scorer.score([TextInput("ok thanks", lang="und")])
    assert tagged.language_supported is False
    assert untagged.language_supported is True


def test_default_scorer__reads_obvious_sentiment_and_insults(default_scorer: DefaultScorer) -> None:
    bad, good, insult = default_scorer.score(
        as_inputs(
            [
                "@brightloop worst service ever, my internet has been down for three days",
                "@brightloop thank you so much, the technician was great and fixed it fast!",
                "you are a pathetic moron and everyone hates you",
            ]
        )
    )
    assert bad.sentiment_label == "negative"
    assert good.sentiment_label == "positive"
    assert insult.toxicity > max(bad.toxicity, good.toxicity)
    assert insult.toxicity > 0.5


def test_default_scorer__same_text_twice_scores_the_same(default_scorer: DefaultScorer) -> None:
    text = "RT @someone: @brightloop is down again"
    default_scorer.clear_cache()
    a, b = default_scorer.score(as_inputs([text, text]))
    (c,) = default_scorer.score(as_inputs([text]))
    assert a == b == c
    assert text in default_scorer._results
    default_scorer.clear_cache()
    (d,) = default_scorer.score(as_inputs([text]))
    assert abs(d.toxicity - a.toxicity) < 1e-3


def test_eval_predictor__flags_what_a_stored_mention_would(default_scorer: DefaultScorer) -> None:
    from scoring.evaluate import scorer_predictor

    texts = ["Le service client de Brightloop est vraiment nul, je suis très déçu"]
    read = scorer_predictor(default_scorer, "sentiment")(texts)
    stored = scorer_predictor(default_scorer, "sentiment", language_of=lambda _t: ("fr", 0.93))
    assert stored(texts)[0].tolist() == pytest.approx(list(UNSUPPORTED_PROBS))
    assert read[0].tolist() != pytest.approx(list(UNSUPPORTED_PROBS))
