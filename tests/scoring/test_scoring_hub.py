"""Hub models by configuration, exercised with tiny random models built and saved here."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from core.config import ModelSettings
from core.errors import ScoringError
from scoring.base import Scorer, TextInput
from scoring.hub import sentiment_columns, toxic_outputs

VOCAB = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "[MASK]",
    "the",
    "service",
    "is",
    "bad",
    "good",
    "you",
    "idiot",
    "thanks",
    "!",
    "?",
    ".",
    ",",
]


def _tiny_model(folder: Path, id2label: dict[int, str], problem_type: str | None = None) -> Path:
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    torch.manual_seed(0)
    folder.mkdir(parents=True)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(vocab_file=str(vocab))
    config = BertConfig(
        vocab_size=len(VOCAB),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=160,
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
        problem_type=problem_type,
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("hub")
    sent = _tiny_model(root / "sent", {0: "negative", 1: "neutral", 2: "positive"})
    tox = _tiny_model(
        root / "tox",
        {0: "toxic", 1: "insult", 2: "obscene"},
        problem_type="multi_label_classification",
    )
    return sent, tox


def test_load_scorer__hub_folders_score_through_the_protocol(
    tiny_models: tuple[Path, Path],
) -> None:
    from scoring.factory import load_scorer

    sent, tox = tiny_models
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scorer = load_scorer(ModelSettings(sentiment=str(sent), toxicity=str(tox), threads=1))
    assert isinstance(scorer, Scorer)
    texts = ["the service is bad", "thanks !", "", "🙂" * 50, "you idiot " * 2000]
    scores = scorer.score([TextInput(t, "en") for t in texts])
    assert len(scores) == len(texts)
    for s in scores:
        assert abs(s.p_negative + s.p_neutral + s.p_positive - 1) < 1e-4
        assert 0.0 <= s.toxicity <= 1.0
        assert s.model_name == scorer.model_name and s.model_version == scorer.model_version
    assert str(sent.name) in scorer.model_name


def test_load_scorer__hub_model_flags_foreign_text(tiny_models: tuple[Path, Path]) -> None:
    from scoring.factory import load_scorer

    sent, tox = tiny_models
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scorer = load_scorer(ModelSettings(sentiment=str(sent), toxicity=str(tox), threads=1))
    (score,) = scorer.score(
        [TextInput("Le service client est vraiment nul, je suis déçu", "fr", 0.95)]
    )
    assert score.language_supported is False
    assert score.sentiment_label == "neutral"


def test_load_scorer__missing_hub_model_is_a_scoring_error(tmp_path: Path) -> None:
    from scoring.hub import HubClassifier

    with pytest.raises(ScoringError):
        HubClassifier(str(tmp_path / "nope"))


def test_sentiment_columns__maps_common_label_names() -> None:
    assert sentiment_columns({0: "NEG", 1: "NEU", 2: "POS"}) == [0, 1, 2]
    assert sentiment_columns({0: "LABEL_0", 1: "LABEL_1"}) == [0, 2]
    with pytest.raises(ScoringError):
        sentiment_columns({0: "angry", 1: "calm"})


def test_toxic_outputs__skips_the_non_toxic_label() -> None:
    assert toxic_outputs({0: "non-toxic", 1: "toxic"}) == [1]
    assert toxic_outputs({0: "toxic", 1: "severe_toxic", 2: "insult"}) == [0, 1, 2]


def test_hub_sentiment__probabilities_follow_id2label_order(tiny_models: tuple[Path, Path]) -> None:
    from scoring.hub import HubClassifier

    sent, _ = tiny_models
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = HubClassifier(str(sent), threads=1)
    z = model.logits(["the service is bad"])
    p = np.exp(z) / np.exp(z).sum()
    assert np.allclose(model.sentiment(["the service is bad"]), p, atol=1e-5)
