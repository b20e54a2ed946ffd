"""Pseudonymizing exports: author identifiers and post ids become salted HMAC-SHA256 digests.

The same salt always gives the same digest, so an analyst can still count posts per author or
follow a reply to its parent, but cannot look the person up. Display names and URLs (which
carry handles) are dropped. Mention text is kept as written and may still name people.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

from pydantic import SecretStr

from core.errors import ConfigError
from dashboard.exports.fields import Field

#: Hex characters kept from each digest (128 bits: collisions are not a practical concern).
DIGEST_HEX_CHARS = 32

#: Fields hashed in one shared namespace so the links between them survive hashing.
_NAMESPACE = {"external_id": "post", "in_reply_to": "post", "thread_id": "post"}


def salt_bytes(salt: str | bytes | SecretStr | None) -> bytes:
    """The HMAC key. Refuses to go without one: an unsalted hash of a handle is reversible."""
    if isinstance(salt, SecretStr):
        salt = salt.get_secret_value()
    if isinstance(salt, str):
        salt = salt.encode("utf-8")
    if not salt:
        raise ConfigError(
            "anonymized exports need a salt: set secret_key (CRITIC2FAN_SECRET_KEY) or pass --salt"
        )
    return salt


class Anonymizer:
    """Applies each field's anonymize rule to a chunk, in place."""

    def __init__(self, salt: bytes, fields: Sequence[Field]) -> None:
        self._salt = salt
        self._fields = tuple(f for f in fields if f.anonymize != "keep")

    def digest(self, namespace: str, value: Any) -> str:
        """The salted digest of ``value`` within ``namespace``."""
        message = f"{namespace}\x00{value}".encode()
        return hmac.new(self._salt, message, hashlib.sha256).hexdigest()[:DIGEST_HEX_CHARS]

    def apply(self, chunk: dict[str, list[Any]]) -> None:
        """Replace identifying values in ``chunk``."""
        for field in self._fields:
            values = chunk[field.name]
            if field.anonymize == "drop":
                chunk[field.name] = [None] * len(values)
                continue
            namespace = _NAMESPACE.get(field.name, field.name)
            cache: dict[Any, str] = {}
            out: list[str | None] = []
            for v in values:
                if v is None:
                    out.append(None)
                    continue
                hashed = cache.get(v)
                if hashed is None:
                    hashed = cache[v] = self.digest(namespace, v)
                out.append(hashed)
            chunk[field.name] = out
