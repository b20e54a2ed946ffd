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

import pyarrow as pa
from pydantic import SecretStr

from core.errors import ConfigError
from dashboard.exports.fields import Field

#: Hex characters kept from each digest (128 bits: collisions are not a practical concern).
DIGEST_HEX_CHARS = 32

#: Fields hashed in one shared namespace so the links between them survive hashing: a reply to
#: its parent, and a case (or its events and goodwill) to its critic's mentions.
_NAMESPACE = {
    "external_id": "post",
    "in_reply_to": "post",
    "thread_id": "post",
    "case_author_id": "author_id",
}


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
    """Applies each field's anonymize rule to a page."""

    def __init__(self, salt: bytes, fields: Sequence[Field]) -> None:
        self._salt = salt
        self._fields = tuple(f for f in fields if f.anonymize != "keep")

    def digest(self, namespace: str, value: Any) -> str:
        """The salted digest of ``value`` within ``namespace``."""
        message = f"{namespace}\x00{value}".encode()
        return hmac.new(self._salt, message, hashlib.sha256).hexdigest()[:DIGEST_HEX_CHARS]

    def apply(self, page: pa.Table) -> pa.Table:
        """``page`` with identifying values replaced (each distinct value hashed once)."""
        for field in self._fields:
            index = page.schema.get_field_index(field.name)
            if index < 0:
                continue
            if field.anonymize == "drop":
                replaced = pa.nulls(page.num_rows, pa.string())
            else:
                namespace = _NAMESPACE.get(field.name, field.name)
                encoded = page.column(index).combine_chunks().dictionary_encode()
                digests = [
                    None if v is None else self.digest(namespace, v)
                    for v in encoded.dictionary.to_pylist()
                ]
                replaced = pa.array(digests, pa.string()).take(encoded.indices)
            page = page.set_column(index, pa.field(field.name, pa.string()), replaced)
        return page
