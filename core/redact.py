"""Masking credentials in URLs and messages before they are printed or logged.

A database URL can carry a password twice: in its user info (``user:pw@host``) and in its
query (``?password=…``, ``?sslpassword=…``); an instance URL can carry a token in either place.
SQLAlchemy's ``render_as_string(hide_password=True)`` hides only the first, so every URL the
product prints (``config show``, connection errors, logs) goes through :func:`mask_url`, and
every message that may quote one through :func:`redact_text`. Both are pure and never raise:
a value they cannot parse is masked as far as it can be, never printed as it was.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

__all__ = ["MASK", "RedactingFormatter", "is_secret_key", "mask_url", "redact_text"]

MASK = "***"

SECRET_KEYS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "pass",
        "sslpassword",
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        "api_key",
        "apikey",
        "secret",
        "client_secret",
        "auth",
        "authorization",
        "key",
        "sig",
        "signature",
    }
)
"""Query and connection-string keys whose values are credentials (compared lower-case, ``-``
read as ``_``). Keys ending in one of :data:`SECRET_SUFFIXES` count too."""

SECRET_SUFFIXES = ("password", "passwd", "secret", "token", "_key", "apikey")

# Schemes where a user info without a colon is usually a token (https://TOKEN@host).
_WEB_SCHEMES = frozenset({"http", "https", "ws", "wss"})

_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?P<rest>.*)", re.S)
_USERINFO = re.compile(r"[^/?#\s]*@")
# SQLAlchemy reads a database URL's password up to the first "@", so it may hold / ? or #.
_USERINFO_DATABASE = re.compile(r"[^:/@\s]*:[^@\s]*@")
_PAIR = re.compile(r"(?P<lead>[?&;#])(?P<key>[^=&;#]+)=(?P<value>[^&;#]*)")
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>`]+")
_KEYWORD_IN_TEXT = re.compile(
    r"(?P<key>\b[A-Za-z][A-Za-z0-9_\-]*)(?P<eq>\s*=\s*)"
    r"(?P<value>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s&;,'\"]+)"
)


def is_secret_key(key: str) -> bool:
    """True when a query or connection-string key names a credential."""
    name = unquote_plus(key).strip().lower().replace("-", "_")
    return name in SECRET_KEYS or name.endswith(SECRET_SUFFIXES)


def mask_url(url: str) -> str:
    """``url`` with the password in its user info and every credential in its query and
    fragment replaced by ``***``; the rest (scheme, user, host, path, other keys) kept, so
    the message still says where. A string that is not a URL has its ``key=value`` secrets
    masked all the same."""
    match = _URL.fullmatch(url)
    if match is None:
        return _mask_keywords(url)
    scheme, rest = match["scheme"], match["rest"]
    web = scheme.lower() in _WEB_SCHEMES
    found = (None if web else _USERINFO_DATABASE.match(rest)) or _USERINFO.match(rest)
    userinfo = ""
    if found is not None:
        rest = rest[found.end() :]
        user, colon, _password = found.group(0)[:-1].partition(":")
        userinfo = f"{user}:{MASK}@" if colon else (f"{MASK}@" if web else found.group(0))
    cut = _first_of(rest, "?#")
    return f"{scheme}://{userinfo}{rest[:cut]}{_mask_pairs(rest[cut:])}"


def redact_text(text: str) -> str:
    """``text`` with every URL in it masked by :func:`mask_url` and every ``key=value`` whose
    key names a credential (``password=…`` in a libpq connection string) masked too."""
    masked = _URL_IN_TEXT.sub(lambda m: mask_url(m.group(0)), text)
    return _mask_keywords(masked)


class RedactingFormatter(logging.Formatter):
    """A log formatter that passes each formatted line, traceback included, through
    :func:`redact_text`, so a URL quoted by any library's message is masked in the logs."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record))


def _first_of(text: str, chars: str) -> int:
    found = [i for i in (text.find(c) for c in chars) if i >= 0]
    return min(found) if found else len(text)


def _mask_pairs(tail: str) -> str:
    """Mask the secret values in a ``?query#fragment`` tail."""

    def one(m: re.Match[str]) -> str:
        if is_secret_key(m["key"]):
            return f"{m['lead']}{m['key']}={MASK}"
        return m.group(0)

    return _PAIR.sub(one, tail)


def _mask_keywords(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        if is_secret_key(m["key"]) and m["value"] != MASK:
            return f"{m['key']}{m['eq']}{MASK}"
        return m.group(0)

    return _KEYWORD_IN_TEXT.sub(one, text)
