"""The compact form of a mention's vector: the encoder's unit vector as float16 bytes.

384 float16 values are 768 bytes a mention. Measured on the sample, float16 clusters exactly
as float32 does, while a 64-dimension random projection (128 bytes) lost most of the
structure (adjusted Rand index 0.09 -> -0.06 with the same HDBSCAN settings), so the vector is
kept whole and only its precision is halved.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DTYPE = np.float16


def unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (a zero row stays zero), as float32."""
    x = np.asarray(vectors, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-9)


def pack(vector: np.ndarray) -> bytes:
    """One vector as stored: unit length, float16, little-endian bytes."""
    return unit(vector)[0].astype("<f2").tobytes()


def unpack(blob: bytes) -> np.ndarray:
    """A stored vector back as float32."""
    return np.frombuffer(blob, dtype="<f2").astype(np.float32)


def unpack_many(blobs: Sequence[bytes], dim: int | None = None) -> np.ndarray:
    """Stored vectors as one float32 matrix ``(n, dim)``, re-normalised after rounding."""
    if not blobs:
        return np.zeros((0, dim or 0), dtype=np.float32)
    return unit(np.vstack([unpack(b) for b in blobs]))
