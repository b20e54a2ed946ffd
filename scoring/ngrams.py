"""Hashed word / character n-gram features, computed with numpy over a whole batch.

scikit-learn's ``HashingVectorizer`` builds its n-grams one string at a time in Python, which
costs about 0.3-0.4 ms a tweet for the analyzers the heads use. Here the whole batch becomes
one array of code points; whitespace folding, tokenising and the hashing of *every* n-gram of
*every* text are array operations on it, about 10x faster.

The hash is our own 64-bit arithmetic (a polynomial over pre-mixed code points or token
hashes, then murmur3's ``fmix64`` seeded by analyzer kind and n), so a text's features are the
same in every process and on every machine, unlike Python's salted ``hash()``. The constants
below define the feature space a trained model's coefficients refer to: changing any of them,
or the preprocessing, silently invalidates every model trained on these features.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from operator import index
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = ["ngram_counts", "ngram_matrix"]

U64 = NDArray[np.uint64]
I64 = NDArray[np.int64]

#: What the word analyzer's tokens are (it splits the same way, vectorised, without ``re``):
#: runs of word characters and apostrophes, and any other non-space symbol alone.
TOKEN_PATTERN = re.compile(r"[\w']+|[^\w\s]")

_MASK64 = (1 << 64) - 1
_FMIX_M1 = np.uint64(0xFF51AFD7ED558CCD)
_FMIX_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
#: Odd multipliers of the polynomial hashes (n-grams over units; code points within a token).
_P_NGRAM = np.uint64(0x9E3779B97F4A7C15)
_P_TOKEN = np.uint64(0xD6E8FEB86659FD93)
#: Seeds mixed into code points before hashing (one for character units, one for token chars).
_CHAR_UNIT_SEED = np.uint64(0x243F6A8885A308D3)
_TOKEN_CHAR_SEED = np.uint64(0x13198A2E03707344)
_TOKEN_LEN_MUL = np.uint64(0xA4093822299F31D1)
_KIND_ID = {"char": 1, "word": 2}


def _py_fmix64(x: int) -> int:
    """murmur3's 64-bit finaliser on a Python int (used only to derive seeds)."""
    x &= _MASK64
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & _MASK64
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & _MASK64
    x ^= x >> 33
    return x


def _seed(kind: str, n: int) -> np.uint64:
    """The finaliser seed of ``n``-grams of one analyzer kind, so different n never line up."""
    return np.uint64(_py_fmix64((_KIND_ID[kind] << 40) ^ (n * 0x9E3779B97F4A7C15)))


def _fmix64(x: U64) -> U64:
    """murmur3's 64-bit finaliser, in place (uint64 arithmetic wraps around)."""
    shifted = x >> _S33
    x ^= shifted
    x *= _FMIX_M1
    x ^= np.right_shift(x, _S33, out=shifted)
    x *= _FMIX_M2
    x ^= np.right_shift(x, _S33, out=shifted)
    return x


def _spec(raw: Mapping[str, Any]) -> tuple[str, int, int, int]:
    """Check one analyzer spec; return ``(kind, n_min, n_max, n_features)``."""
    try:
        kind, ngram, n_features = raw["analyzer"], raw["ngram"], raw["n_features"]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"analyzer spec needs analyzer, ngram, n_features: {raw!r}") from exc
    if kind not in _KIND_ID:
        raise ValueError(f"unknown analyzer {kind!r} (expected 'char' or 'word')")
    try:
        if isinstance(ngram, str | bytes) or len(ngram) != 2:
            raise TypeError
        if any(isinstance(v, bool) for v in (*ngram, n_features)):
            raise TypeError
        lo, hi, width = index(ngram[0]), index(ngram[1]), index(n_features)
    except TypeError as exc:
        raise ValueError(f"bad ngram range or n_features in {raw!r}") from exc
    if not 1 <= lo <= hi:
        raise ValueError(f"ngram range must be [lo, hi] with 1 <= lo <= hi, got {ngram!r}")
    if width < 1 or width & (width - 1):
        raise ValueError(f"n_features must be a power of two, got {n_features!r}")
    return kind, lo, hi, width


@cache
def _bmp_classes() -> NDArray[np.uint8]:
    r"""Class of every BMP code point: 1 for a token character (``\w`` or ``'``), 2 for space.

    ``\w`` and whitespace are exactly ``re``'s (``str.isalnum()`` or ``_``; ``str.isspace()``),
    so the vectorised tokeniser splits like ``re.findall(TOKEN_PATTERN, text)``.
    """
    word = np.fromiter((chr(c).isalnum() for c in range(0x10000)), dtype=bool, count=0x10000)
    word[[ord("_"), ord("'")]] = True
    space = np.fromiter((chr(c).isspace() for c in range(0x10000)), dtype=bool, count=0x10000)
    table = word.astype(np.uint8)
    table[space] = 2  # no character is both
    table.flags.writeable = False
    return table


def _classes(cps: NDArray[np.uint32]) -> NDArray[np.uint8]:
    """The class (see ``_bmp_classes``) of each code point; no astral code point is a space."""
    table = _bmp_classes()
    astral = cps > 0xFFFF
    if not astral.any():
        return table[cps]
    out = table[np.where(astral, 0, cps)]
    uniq, inverse = np.unique(cps[astral], return_inverse=True)
    word = np.array([chr(int(c)).isalnum() for c in uniq], dtype=np.uint8)
    out[astral] = word[inverse]
    return out


def _code_points(text: str) -> NDArray[np.uint32]:
    """The code points of ``text`` (lone surrogates included, never raises)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


class _Batch:
    """Preprocessed texts as one code-point array, with the units each analyzer kind reads."""

    def __init__(self, texts: Sequence[str], max_chars: int, width: int) -> None:
        lowered = [t[:max_chars].lower() for t in texts]
        self.n_rows = len(lowered)
        self.width = width
        #: Keys ``row * width + column`` fit in 32 bits for all but huge batches.
        self.key_type: type[np.unsignedinteger[Any]] = (
            np.uint32 if self.n_rows * width <= 2**32 else np.uint64
        )
        raw = _code_points("".join(lowered))
        raw_counts = np.fromiter(map(len, lowered), dtype=np.int64, count=self.n_rows)
        raw_rows = np.repeat(np.arange(self.n_rows, dtype=np.int64), raw_counts)
        classes = _classes(raw)
        space = classes == 2
        # " ".join(text.split()): keep every non-space, and the first space of a run when the
        # same text has a non-space before it (no leading run) and after it (no trailing run).
        solid = np.zeros(raw.size + 1, dtype=np.int64)
        np.cumsum(~space, out=solid[1:])
        ends = np.cumsum(raw_counts)
        before_text = solid[ends - raw_counts][raw_rows]
        at_text_end = solid[ends][raw_rows]
        solid = solid[1:]
        prev_solid = np.zeros_like(space)
        prev_solid[1:] = ~space[:-1]
        keep = ~space
        keep |= prev_solid & (solid > before_text) & (solid < at_text_end)
        self.cps = np.where(space, np.uint32(32), raw)[keep]
        self.word = classes[keep] == 1
        self.rows = raw_rows[keep]
        self._units: dict[str, tuple[U64, NDArray[Any]]] = {}
        self._rolling: dict[str, tuple[int, U64]] = {}
        self._windows: dict[tuple[str, int], tuple[NDArray[Any], NDArray[Any]]] = {}

    def units(self, kind: str) -> tuple[U64, NDArray[Any]]:
        """``(units, row * width of each unit)`` for ``kind``: mixed code points or tokens."""
        if kind not in self._units:
            units, rows = self._chars() if kind == "char" else self._tokens()
            self._units[kind] = units, (rows * self.width).astype(self.key_type)
        return self._units[kind]

    def _chars(self) -> tuple[U64, I64]:
        units = self.cps.astype(np.uint64)
        units += _CHAR_UNIT_SEED
        return _fmix64(units), self.rows

    def _tokens(self) -> tuple[U64, I64]:
        """One hash per word token: a run of token characters, or any other non-space alone."""
        solid = self.cps != 32
        word = self.word
        starts_mask = solid.copy()
        # A token character continues the token of the previous one in the same text.
        starts_mask[1:] &= ~(word[1:] & word[:-1] & (self.rows[1:] == self.rows[:-1]))
        chars = self.cps[solid].astype(np.uint64)
        if chars.size == 0:
            return np.empty(0, np.uint64), np.empty(0, np.int64)
        starts = np.flatnonzero(starts_mask[solid])
        lengths = np.diff(starts, append=chars.size)
        chars ^= _TOKEN_CHAR_SEED
        chars = _fmix64(chars)
        # Weight each code point by P ** (its position in the token), then sum per token.
        powers = np.empty(int(lengths.max()), dtype=np.uint64)
        powers[0] = 1
        powers[1:] = _P_TOKEN
        np.cumprod(powers, out=powers)
        chars *= powers[np.arange(chars.size, dtype=np.int64) - np.repeat(starts, lengths)]
        hashes = np.add.reduceat(chars, starts)
        hashes ^= lengths.astype(np.uint64) * _TOKEN_LEN_MUL
        return _fmix64(hashes), self.rows[solid][starts]

    def windows(self, kind: str, n: int) -> tuple[NDArray[Any], NDArray[Any]]:
        """``(row * width, hash)`` of every n-gram of ``kind`` within one text (cached).

        The hash is cut to the key type; that keeps every bit a power-of-two bucket needs.
        """
        if (kind, n) not in self._windows:
            units, bases = self.units(kind)
            total = units.size
            if n > total:
                empty = np.empty(0, self.key_type)
                self._windows[kind, n] = (empty, empty)
                return empty, empty
            # Polynomial hash of units [i, i + n), extended from the longest shorter one.
            done, h = self._rolling.get(kind, (0, np.empty(0, np.uint64)))
            if done == 0 or done > n:
                done, h = 1, units.copy()
            for j in range(done, n):
                h = h[:-1]
                h *= _P_NGRAM
                h += units[j:]
            self._rolling[kind] = (n, h)
            # A window fits when its last unit is in the same text as its first.
            fits = bases[n - 1 :] == bases[: total - n + 1]
            picked = h[fits]
            picked ^= _seed(kind, n)
            self._windows[kind, n] = (
                bases[: total - n + 1][fits],
                _fmix64(picked).astype(self.key_type),
            )
        return self._windows[kind, n]


def _counts(
    texts: Sequence[str], analyzers: Sequence[Mapping[str, Any]], max_chars: int
) -> tuple[I64, NDArray[Any], NDArray[np.int64], int]:
    """Raw hashed counts: ``(indptr, sorted columns per row, counts, width)``."""
    specs = [_spec(a) for a in analyzers]
    if max_chars < 0:
        raise ValueError(f"max_chars must be >= 0, got {max_chars}")
    width = sum(s[3] for s in specs)
    batch = _Batch(texts, max_chars, width)
    key_type = batch.key_type
    jobs = []  # (kind, n, n_features, column offset) per block and n
    offset = 0
    for kind, lo, hi, n_features in specs:
        jobs += [(kind, n, n_features, offset) for n in range(lo, hi + 1)]
        offset += n_features
    windows = [batch.windows(kind, n) for kind, n, _, _ in jobs]
    flat = np.empty(sum(w[0].size for w in windows), dtype=key_type)
    at = 0
    for (_, _, n_features, offset), (base, hashes) in zip(jobs, windows, strict=True):
        out = flat[at : at + base.size]
        np.bitwise_and(hashes, key_type(n_features - 1), out=out)
        out += base
        out += key_type(offset)
        at += base.size
    flat.sort()
    first = np.empty(flat.size, dtype=bool)
    first[:1] = True
    np.not_equal(flat[1:], flat[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    unique = flat[starts]
    counts = np.empty_like(starts)  # run lengths of equal keys
    np.subtract(starts[1:], starts[:-1], out=counts[:-1])
    counts[-1:] = flat.size - starts[-1:]
    # Entries of row r are the keys in [r * width, (r + 1) * width).
    row_base = np.arange(batch.n_rows, dtype=np.int64).astype(key_type) * key_type(width)
    indptr = np.empty(batch.n_rows + 1, dtype=np.int64)
    indptr[:-1] = np.searchsorted(unique, row_base)
    indptr[-1] = unique.size
    unique -= np.repeat(row_base, np.diff(indptr))
    return indptr, unique, counts, width


def _csr(indptr: I64, cols: NDArray[Any], data: NDArray[np.float32], width: int) -> Any:
    """A canonical CSR matrix from rows of sorted, unique columns (``cols`` is reused)."""
    idx_type = np.int32 if max(width, data.size) < 2**31 else np.int64
    if cols.itemsize == np.dtype(idx_type).itemsize:
        indices = cols.view(idx_type)  # every column < 2**31 (or 2**63): same values
    else:
        indices = cols.astype(idx_type)
    matrix = sp.csr_matrix(
        (data, indices, indptr.astype(idx_type, copy=False)), shape=(indptr.size - 1, width)
    )
    matrix.has_canonical_format = True
    return matrix


def ngram_counts(
    texts: Sequence[str], analyzers: Sequence[Mapping[str, Any]], *, max_chars: int = 5000
) -> sp.csr_matrix:
    """Raw hashed n-gram counts (float32 CSR, analyzers' blocks side by side, no weighting)."""
    indptr, cols, counts, width = _counts(texts, analyzers, max_chars)
    return _csr(indptr, cols, counts.astype(np.float32), width)


def ngram_matrix(
    texts: Sequence[str], analyzers: Sequence[Mapping[str, Any]], *, max_chars: int = 5000
) -> sp.csr_matrix:
    """Sublinear-tf (``1 + log count``), row-L2-normalised hashed n-gram features.

    ``analyzers`` are specs like ``{"analyzer": "char", "ngram": [1, 6], "n_features": 2**17}``
    (``"char"`` or ``"word"``; inclusive n range; ``n_features`` a power of two). The result is
    a float32 CSR of shape ``(len(texts), sum of n_features)`` with block k in columns
    ``[offset_k, offset_k + n_features_k)``. Rows without any n-gram are all zero.
    Raises ``ValueError`` for a bad spec; never for the content of a text.
    """
    indptr, cols, counts, width = _counts(texts, analyzers, max_chars)
    if counts.size == 0:
        return _csr(indptr, cols, np.empty(0, np.float32), width)
    tf = np.log(np.arange(1, int(counts.max()) + 1, dtype=np.float32))
    tf += np.float32(1.0)
    data = tf[counts - 1]
    lengths = np.diff(indptr)
    filled = lengths > 0
    sums = np.add.reduceat(np.square(data, dtype=np.float64), indptr[:-1][filled])
    data *= np.repeat((1.0 / np.sqrt(sums)).astype(np.float32), lengths[filled])
    return _csr(indptr, cols, data, width)
