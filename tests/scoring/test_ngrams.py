"""Vectorised hashed n-grams: checked against a pure-Python enumeration of the same n-grams."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scoring.ngrams import ngram_counts, ngram_matrix

ROOT = Path(__file__).resolve().parents[2]
BIG = 2**20  # wide enough that the texts below have no hash collisions
TOKEN = re.compile(r"[\w']+|[^\w\s]")

ODD_TEXTS = [
    "",
    "   \t\n ",
    "😀😀🙄",
    "x" * 10_000,
    "lone \ud800 surrogate \udfff",
    "这个应用太糟糕了，我要退款！",
    "هذا التطبيق رائع جدا",
    "ctrl \x00\x01\x1b\x7f chars\x1c\x1d",
    "e\u0301 cafe\u0301 𝐀𝐁𝐂 ｗｉｄｅ 123_456 don't",
    "\u200b zero width \u00a0 nbsp \u2028 line sep",
]


def spec(kind: str, lo: int, hi: int, n_features: int = BIG) -> dict[str, Any]:
    return {"analyzer": kind, "ngram": [lo, hi], "n_features": n_features}


def reference(text: str, kind: str, lo: int, hi: int, max_chars: int = 5000) -> Counter[Any]:
    """Every n-gram of ``text`` the plain way: preprocess, split, enumerate windows."""
    clean = " ".join(text[:max_chars].lower().split())
    units = list(clean) if kind == "char" else TOKEN.findall(clean)
    return Counter(
        (n, tuple(units[i : i + n])) for n in range(lo, hi + 1) for i in range(len(units) - n + 1)
    )


def row(matrix: Any, i: int) -> dict[int, float]:
    start, end = matrix.indptr[i], matrix.indptr[i + 1]
    return dict(
        zip(matrix.indices[start:end].tolist(), matrix.data[start:end].tolist(), strict=True)
    )


def tricky_texts(count: int, seed: int) -> list[str]:
    """Random texts over letters, digits, apostrophes, punctuation, spaces, emoji, CJK, marks."""
    rng = random.Random(seed)
    alphabet = list("abcAB01_'!?.,-") + [" ", "  ", "\t", "\n", "😀", "中", "é", "\u0301", "𝐀"]
    return ["".join(rng.choices(alphabet, k=rng.randint(0, 40))) for _ in range(count)]


def test_ngram_matrix__shape_and_blocks_follow_analyzer_order() -> None:
    analyzers = [spec("word", 1, 1, 16), spec("char", 1, 1, 32), spec("word", 2, 2, 8)]
    counts = ngram_counts(["ab cd", "x", ""], analyzers)
    assert counts.shape == (3, 56)
    assert counts.dtype == np.float32
    first = row(counts, 0)
    assert sum(v for c, v in first.items() if c < 16) == 2  # words ab, cd
    assert sum(v for c, v in first.items() if 16 <= c < 48) == 5  # a, b, space, c, d
    assert sum(v for c, v in first.items() if 48 <= c < 56) == 1  # "ab cd"
    assert sorted(row(counts, 1)) == [min(row(counts, 1)), max(row(counts, 1))]
    assert min(row(counts, 1)) < 16 <= max(row(counts, 1)) < 48  # word x, char x
    assert row(counts, 2) == {}


@pytest.mark.parametrize(
    "kind, lo, hi", [("char", 1, 6), ("char", 3, 3), ("word", 1, 3), ("word", 2, 2)]
)
def test_ngram_counts__match_pure_python_enumeration(kind: str, lo: int, hi: int) -> None:
    texts = [
        "Great app!! Love it 😀",
        "the the the the",
        "  Hello\tWorld\n",
        "don't stop, won't stop",
        "ab",
        "a",
        *ODD_TEXTS,
        *tricky_texts(60, seed=hi),
    ]
    counts = ngram_counts(texts, [spec(kind, lo, hi)])
    for i, text in enumerate(texts):
        expected = reference(text, kind, lo, hi)
        got = row(counts, i)
        assert sum(got.values()) == sum(expected.values()), text
        assert sorted(got.values()) == sorted(expected.values()), text


def test_ngram_counts__word_ngram_lands_on_its_own_column() -> None:
    # A word n-gram alone ("don't !") has exactly one (n, n) n-gram: its column is its hash.
    text = "Don't   do it!! 😀 ok_1 e\u0301"
    expected: Counter[int] = Counter()
    for (n, gram), count in reference(text, "word", 1, 3).items():
        alone = ngram_counts([" ".join(gram)], [spec("word", n, n)])
        assert alone.nnz == 1
        expected[int(alone.indices[0])] += count
    assert row(ngram_counts([text], [spec("word", 1, 3)]), 0) == dict(expected)


def test_ngram_counts__tokens_split_punctuation_and_emoji() -> None:
    analyzers = [spec("word", 1, 1)]
    counts = ngram_counts(["great!!", "great ! !", "great", "!", "wow😀"], analyzers)
    great_bang = row(counts, 0)
    assert great_bang == row(counts, 1)
    assert sorted(great_bang.values()) == [1, 2]
    assert set(great_bang) == set(row(counts, 2)) | set(row(counts, 3))
    assert sum(row(counts, 4).values()) == 2


def test_ngram_counts__windows_do_not_cross_text_boundaries() -> None:
    pair = ngram_counts(["ab", "cd"], [spec("char", 2, 2)])
    bridge = ngram_counts(["bc"], [spec("char", 2, 2)])
    assert pair.sum(axis=1).tolist() == [[1], [1]]
    assert not set(bridge.indices) & set(pair.indices)
    words = ngram_counts(["a b", "c d"], [spec("word", 2, 2)])
    word_bridge = ngram_counts(["b c"], [spec("word", 2, 2)])
    assert words.sum(axis=1).tolist() == [[1], [1]]
    assert not set(word_bridge.indices) & set(words.indices)


def test_ngram_counts__kinds_and_sizes_hash_apart() -> None:
    char_a = ngram_counts(["a"], [spec("char", 1, 1)])
    word_a = ngram_counts(["a"], [spec("word", 1, 1)])
    assert char_a.indices.tolist() != word_a.indices.tolist()
    # "aaaa": 1-, 2-, 3- and 4-grams of one letter would share buckets under a naive hash.
    many = ngram_counts(["aaaa"], [spec("char", 1, 4)])
    assert sorted(many.data.tolist()) == [1, 2, 3, 4]


def test_ngram_matrix__values_are_sublinear_tf_over_the_whole_row() -> None:
    analyzers = [spec("char", 1, 1), spec("word", 1, 1)]
    matrix = ngram_matrix(["aab"], analyzers)  # chars a:2, b:1; word aab:1
    tf = np.array(sorted([1.0, 1.0, 1.0 + np.log(2.0)]))
    np.testing.assert_allclose(sorted(matrix.data), tf / np.linalg.norm(tf), rtol=1e-6)


def test_ngram_matrix__rows_have_unit_norm_or_are_empty() -> None:
    texts = ["Great app!! Love it", "", "  ", *ODD_TEXTS, *tricky_texts(30, seed=3)]
    analyzers = [spec("word", 1, 2, 2**17), spec("char", 2, 5, 2**17)]
    matrix = ngram_matrix(texts, analyzers)
    assert matrix.dtype == np.float32
    assert np.isfinite(matrix.data).all()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1))).ravel()
    empty = [" ".join(t.split()) == "" for t in texts]
    np.testing.assert_allclose(norms[~np.array(empty)], 1.0, rtol=1e-5)
    assert (norms[np.array(empty)] == 0).all()


def test_ngram_matrix__same_text_same_row_in_any_batch() -> None:
    analyzers = [spec("word", 1, 3, 2**17), spec("char", 1, 6, 2**17)]
    text = "Support never answers 😡 #fail"
    alone = ngram_matrix([text], analyzers)
    batch = ngram_matrix(["first one", "", text, "x" * 300], analyzers)
    assert row(alone, 0) == row(batch, 2)


def test_ngram_matrix__large_batch_uses_wide_keys_with_same_columns() -> None:
    # 3 rows x 2**31 columns overflow 32-bit keys; one row alone does not.
    analyzers = [spec("char", 1, 2, 2**31)]
    texts = ["hello", "wide keys", "ok"]
    together = ngram_matrix(texts, analyzers)
    assert together.shape == (3, 2**31)
    for i, text in enumerate(texts):
        assert row(together, i) == row(ngram_matrix([text], analyzers), 0)


_CHILD = """
import json, sys
from scoring.ngrams import ngram_matrix
m = ngram_matrix(json.loads(sys.argv[1]), json.loads(sys.argv[2]))
print(json.dumps([m.indptr.tolist(), m.indices.tolist(), m.data.tolist()]))
"""


def test_ngram_matrix__same_in_other_processes_and_hash_seeds() -> None:
    texts = ["Great app!! Love it 😀", "don't", "中文 text"]
    analyzers = [spec("word", 1, 2, 2**17), spec("char", 1, 4, 2**17)]
    here = ngram_matrix(texts, analyzers)
    expected = [here.indptr.tolist(), here.indices.tolist(), here.data.tolist()]
    for seed in ("1", "987654"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, json.dumps(texts), json.dumps(analyzers)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env=env,
            timeout=120,
        )
        assert json.loads(out.stdout) == expected


def test_ngram_counts__columns_are_pinned() -> None:
    # These columns are what trained models' coefficients refer to: a change is a new space.
    analyzers = [spec("word", 1, 2, 2**10), spec("char", 2, 3, 2**10)]
    counts = ngram_counts(["Great app!"], analyzers)
    assert counts.indices.tolist() == [
        271, 405, 630, 713, 1003, 1031, 1082, 1172, 1180, 1312, 1397,
        1497, 1649, 1741, 1767, 1789, 1836, 1907, 1937, 1981, 2007, 2046,
    ]  # fmt: skip
    assert counts.data.tolist() == [1.0] * 22
    single = ngram_counts(["a"], [spec("char", 1, 1), spec("word", 1, 1)])
    assert single.indices.tolist() == [350646, 1951693]


def test_ngram_matrix__case_and_whitespace_are_normalised() -> None:
    analyzers = [spec("word", 1, 2), spec("char", 1, 4)]
    matrix = ngram_matrix(["Hello   World", "hello world", "\t HELLO\n\nworld  "], analyzers)
    assert row(matrix, 0) == row(matrix, 1) == row(matrix, 2)
    assert ngram_matrix(["hello  world"], analyzers).nnz == matrix.getrow(1).nnz


def test_ngram_counts__text_is_cut_to_max_chars() -> None:
    counts = ngram_counts(["a" * 10 + "bcd", " " * 8 + "abcd"], [spec("char", 1, 1)], max_chars=10)
    assert counts.sum(axis=1).tolist() == [[10], [2]]  # cut before whitespace is stripped
    assert ngram_counts(["abc"], [spec("char", 1, 1)], max_chars=0).nnz == 0


def test_ngram_matrix__odd_texts_do_not_raise() -> None:
    analyzers = [spec("word", 1, 3, 2**17), spec("char", 1, 6, 2**17)]
    matrix = ngram_matrix(ODD_TEXTS, analyzers)
    assert matrix.shape == (len(ODD_TEXTS), 2**18)
    assert np.isfinite(matrix.data).all()
    assert matrix.getrow(0).nnz == matrix.getrow(1).nnz == 0
    long_row = ngram_counts(["x" * 10_000], [spec("char", 1, 6)])
    assert sorted(long_row.data.tolist()) == [5000 - n + 1 for n in range(6, 0, -1)]


def test_ngram_matrix__empty_batch_has_full_width() -> None:
    matrix = ngram_matrix([], [spec("word", 1, 2, 2**4), spec("char", 1, 2, 2**5)])
    assert matrix.shape == (0, 48)
    assert matrix.nnz == 0


@pytest.mark.parametrize(
    "bad",
    [
        {"analyzer": "char_wb", "ngram": [1, 2], "n_features": 16},
        {"analyzer": "char", "ngram": [0, 2], "n_features": 16},
        {"analyzer": "char", "ngram": [3, 2], "n_features": 16},
        {"analyzer": "char", "ngram": [1], "n_features": 16},
        {"analyzer": "char", "ngram": "12", "n_features": 16},
        {"analyzer": "word", "ngram": [1, 2.5], "n_features": 16},
        {"analyzer": "word", "ngram": [1, 2], "n_features": 100},
        {"analyzer": "word", "ngram": [1, 2], "n_features": 0},
        {"analyzer": "word", "ngram": [1, 2], "n_features": 16.0},
        {"analyzer": "word", "ngram": [1, 2]},
    ],
)
def test_ngram_matrix__bad_analyzer_spec_raises(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        ngram_matrix(["text"], [bad])
    with pytest.raises(ValueError):
        ngram_matrix([], [spec("char", 1, 1), bad])


def test_ngram_matrix__negative_max_chars_raises() -> None:
    with pytest.raises(ValueError):
        ngram_matrix(["text"], [spec("char", 1, 1)], max_chars=-1)
