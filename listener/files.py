"""The file import format: CSV or JSONL rows with ``source, id, author, text, created_at``.

Optional columns: ``author_id``, ``author_name``, ``followers``, ``following``,
``account_created``, ``is_brand``, ``lang``, ``url``, ``in_reply_to``, ``thread_id``,
``deleted``. Unknown columns are kept in the mention's raw payload. Every row is checked on
its own, against the same limits the database enforces (``store.limits``) and the platforms'
date range, so a dry run refuses exactly what an import would: a bad row is reported with
its line number and why, and never stops the good ones. A file is read in chunks: a row
longer than ``max_line_bytes`` is reported and skipped without being held in memory, and
invalid UTF-8 is reported by line, never replaced.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import ValidationError

from core.clock import utcnow
from core.config import DEFAULT_MAX_LINE_BYTES
from core.errors import InputError
from core.records import AuthorRecord, MentionRecord, string_problem, time_problem
from listener.exports import reddit_json_rows, sniff, x_archive_rows
from listener.matching import NO_BRAND, BrandIdentity
from listener.splitter import Oversized, Row, csv_rows, jsonl_rows
from store.limits import depth_problem, refusal

REQUIRED_COLUMNS = ("source", "id", "author", "text", "created_at")
OPTIONAL_COLUMNS = (
    "author_id",
    "author_name",
    "followers",
    "following",
    "account_created",
    "is_brand",
    "lang",
    "url",
    "in_reply_to",
    "thread_id",
    "deleted",
)
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}

#: The import column that fills each record field, for messages that name the column.
_COLUMN_OF = {
    "external_id": "id",
    "author.platform": "source",
    "author.platform_id": "author_id",
    "author.handle": "author",
    "author.display_name": "author_name",
    "author.followers": "followers",
    "author.following": "following",
    "author.account_created": "account_created",
    "author.is_brand": "is_brand",
    "raw": "extra columns",
}


@dataclass(frozen=True)
class BadRow:
    """A row that could not be imported, and why."""

    line: int
    reason: str


@dataclass(frozen=True)
class GoodRow:
    """A row that became a mention; ``untrusted_brand``: it said ``is_brand`` for an account
    that is not one of the brand's, so its author is stored as an ordinary one."""

    line: int
    record: MentionRecord
    untrusted_brand: bool = False


ImportRow = GoodRow | BadRow
Entry = tuple[int, dict[str, Any] | str]


#: Every format ``--format`` accepts.
FORMATS = ("csv", "jsonl", "x-archive", "reddit-json")


def detect_format(path: Path) -> str:
    """The file's format: ``csv``/``jsonl`` from the name, exports from their first bytes."""
    suffixes = [s.lower() for s in path.suffixes]
    if ".csv" in suffixes:
        return "csv"
    if ".jsonl" in suffixes or ".ndjson" in suffixes:
        return "jsonl"
    if suffixes and suffixes[-1] in (".js", ".json") and path.is_file():
        try:
            found = sniff(path)
        except OSError as exc:
            raise InputError(_os_reason(exc)) from None
        if found:
            return found
    raise InputError(
        "unknown file type; use .csv or .jsonl, or --format one of " + ", ".join(FORMATS)
    )


def read_import_file(
    path: Path,
    *,
    brand: BrandIdentity = NO_BRAND,
    fmt: str | None = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    now: datetime | None = None,
) -> Iterator[ImportRow]:
    """Yield each row of ``path`` as a :class:`GoodRow` or a :class:`BadRow`, in file order.

    A file that cannot be read at all (missing, a folder, no permission, an unknown format,
    a CSV header without the required columns) raises one ``InputError`` that says why,
    without the path. ``now`` bounds how far in the future a post may be dated. An author
    is the brand only when ``brand`` says so, whatever the row's ``is_brand``.
    """
    if not path.exists():
        raise InputError("no such file")
    if path.is_dir():
        raise InputError("is a folder, not a file")
    fmt = (fmt or detect_format(path)).lower()
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    now = now or utcnow()
    for line, row in _entries(path, fmt, max_line_bytes):
        if isinstance(row, str):
            yield BadRow(line, row)
            continue
        try:
            record = row_to_record(row, brand=brand, now=now)
        except InputError as exc:
            yield BadRow(line, str(exc))
            continue
        claimed = bool(_opt_bool(row.get("is_brand"), "is_brand"))
        yield GoodRow(line, record, untrusted_brand=claimed and not record.author.is_brand)


def _entries(path: Path, fmt: str, limit: int) -> Iterator[Entry]:
    """The raw rows of ``path``; reading errors become one ``InputError``."""
    try:
        if fmt in ("x-archive", "reddit-json"):
            reader = x_archive_rows if fmt == "x-archive" else reddit_json_rows
            yield from reader(path)
            return
        with path.open("rb") as handle:
            yield from (_csv_entries if fmt == "csv" else _jsonl_entries)(handle, limit)
    except OSError as exc:
        raise InputError(_os_reason(exc)) from None


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "cannot be read: permission denied"
    return f"cannot be read: {exc.strerror or exc}"


def row_to_record(
    row: dict[str, Any],
    *,
    brand: BrandIdentity = NO_BRAND,
    now: datetime | None = None,
) -> MentionRecord:
    """Turn one import row into a mention the database will take; ``InputError`` says why not.

    The row's ``is_brand`` is checked but never trusted: the author is the brand when its
    platform and handle (or id) are one of ``brand``'s accounts (:mod:`listener.matching`).

    The row is validated as a record, its times must lie in the platforms' range, and its
    values within the columns' limits (``store.limits``), the same on SQLite and PostgreSQL.
    """
    missing = [c for c in REQUIRED_COLUMNS if _blank(row.get(c)) and c != "text"]
    if "text" not in row or row["text"] is None:
        missing.append("text")
    if missing:
        raise InputError(f"missing {', '.join(missing)}")
    columns = _COLUMN_OF
    if _blank(row.get("author_id")):  # the author's id is their handle
        columns = {**_COLUMN_OF, "author.platform_id": "author"}
    for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
        value = row.get(name)
        if isinstance(value, str):
            unstorable = string_problem(value.replace("\x00", "") if name == "text" else value)
            if unstorable:
                raise InputError(f"{name}: {unstorable}")
    source = str(row["source"]).strip().lower()
    handle = str(row["author"]).strip().lstrip("@")
    try:
        author = AuthorRecord(
            platform=source,
            platform_id=_str_or(row.get("author_id"), handle),
            handle=handle,
            display_name=_opt_str(row.get("author_name")),
            followers=_opt_int(row.get("followers"), "followers"),
            following=_opt_int(row.get("following"), "following"),
            account_created=_opt_time(row.get("account_created"), "account_created"),
        )
        _opt_bool(row.get("is_brand"), "is_brand")  # a malformed flag is still a bad row
        if brand.is_brand(author):
            author = author.model_copy(update={"is_brand": True})
        extra = {k: v for k, v in row.items() if k not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}
        record = MentionRecord(
            source=source,
            external_id=str(row["id"]),
            author=author,
            text=str(row["text"]),
            created_at=_time(row["created_at"], "created_at"),
            lang=_opt_str(row.get("lang")),
            url=_opt_str(row.get("url")),
            in_reply_to=_opt_str(row.get("in_reply_to")),
            thread_id=_opt_str(row.get("thread_id")),
            deleted=bool(_opt_bool(row.get("deleted"), "deleted")),
            raw={"import": extra} if extra else None,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InputError(f"{columns.get(field, field)}: {message}") from None
    problem = _time_refusal(record, now or utcnow()) or refusal(record)
    if problem:
        raise InputError(f"{columns.get(problem[0], problem[0])}: {problem[1]}")
    return record


def _time_refusal(record: MentionRecord, now: datetime) -> tuple[str, str] | None:
    for field, value in (
        ("created_at", record.created_at),
        ("account_created", record.author.account_created),
    ):
        problem = time_problem(value, now=now) if value is not None else None
        if problem:
            return field, problem
    return None


def _csv_entries(handle: BinaryIO, limit: int) -> Iterator[Entry]:
    if csv.field_size_limit() < limit:  # a field is never longer than its row
        csv.field_size_limit(limit)
    header: list[str] | None = None
    for row in csv_rows(handle, limit=limit):
        if header is None:
            header = _csv_header(row, limit)
            continue
        text = _decoded(row, limit)
        if not isinstance(text, str):
            yield text
            continue
        if not text.strip("\r"):
            continue  # a blank line
        if row.open_quote:
            yield row.line, "a quoted field is never closed (it runs to the end of the file)"
            continue
        try:
            cells = list(csv.reader([text]))
        except csv.Error as exc:
            yield row.line, f"not valid CSV ({exc})"
            continue
        if len(cells) != 1:
            yield row.line, "not valid CSV (a line break outside quotes)"
        elif len(cells[0]) > len(header):
            yield row.line, f"{len(cells[0])} cells, header has {len(header)}"
        elif len(cells[0]) < len(header):
            yield row.line, "fewer cells than the header has columns"
        else:
            yield row.line, dict(zip(header, cells[0], strict=True))
    if header is None:
        raise InputError("empty file: no header row")


def _csv_header(row: Row | Oversized, limit: int) -> list[str] | None:
    """The column names of the header row (None for a blank line before it)."""
    if isinstance(row, Oversized):
        raise InputError(f"the header row is longer than the {limit:,}-byte row limit")
    text = _decoded(row, limit, first=row.line == 1)
    if not isinstance(text, str):
        raise InputError(f"line {text[0]}: the header row is {text[1]}")
    if not text.strip():
        return None
    try:
        names = [name.strip() for name in next(csv.reader([text]))]
    except csv.Error as exc:
        raise InputError(f"the header row is not valid CSV ({exc})") from None
    absent = [c for c in REQUIRED_COLUMNS if c not in names]
    if absent:
        raise InputError(f"the header lacks {', '.join(absent)}")
    return names


def _jsonl_entries(handle: BinaryIO, limit: int) -> Iterator[Entry]:
    for row in jsonl_rows(handle, limit=limit):
        text = _decoded(row, limit, first=row.line == 1)
        if not isinstance(text, str):
            yield text
            continue
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            yield row.line, f"not valid JSON ({exc.msg} at column {exc.colno})"
            continue
        except RecursionError:
            yield row.line, "not valid JSON (nested too deeply)"
            continue
        except ValueError:  # an integer of more digits than Python converts
            yield row.line, "not valid JSON (a number too long to read)"
            continue
        if not isinstance(value, dict):
            yield row.line, f"expected a JSON object, got {type(value).__name__}"
            continue
        problem = depth_problem(value)
        if problem:
            yield row.line, problem
            continue
        yield row.line, value


def _decoded(row: Row | Oversized, limit: int, *, first: bool = False) -> str | tuple[int, str]:
    """The row as text, or ``(line, why)`` for a row too long or not valid UTF-8."""
    if isinstance(row, Oversized):
        reason = f"longer than the {limit:,}-byte row limit ({row.size:,} bytes); skipped"
        if row.open_quote:
            reason += " (a quoted field is never closed)"
        return row.line, reason
    data = row.data
    if first and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = row.line + before.count(b"\n")
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        return line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at byte {column} of the line)"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _opt_str(value: Any) -> str | None:
    return None if _blank(value) else str(value).strip()


def _str_or(value: Any, default: str) -> str:
    return default if _blank(value) else str(value).strip()


def _opt_int(value: Any, name: str) -> int | None:
    if _blank(value):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InputError(f"{name}: not a whole number: {str(value)[:40]!r}") from None
    if number < 0:
        raise InputError(f"{name}: must not be negative")
    return number


def _opt_bool(value: Any, name: str) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(f"{name}: not true/false: {text[:20]!r}")


def _time(value: Any, name: str) -> datetime:
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InputError(f"{name}: not an ISO 8601 time: {text[:40]!r}") from None
    return parsed


def _opt_time(value: Any, name: str) -> datetime | None:
    return None if _blank(value) else _time(value, name)
