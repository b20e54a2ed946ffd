"""The file import format: CSV or JSONL rows with ``source, id, author, text, created_at``.

Optional columns: ``author_id``, ``author_name``, ``followers``, ``following``,
``account_created``, ``is_brand``, ``lang``, ``url``, ``in_reply_to``, ``thread_id``,
``deleted``. Unknown columns are kept in the mention's raw payload. Every row is checked on
its own: a bad row is reported with its line number and why, and never stops the good ones.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.errors import InputError
from core.records import AuthorRecord, MentionRecord
from listener.exports import reddit_json_rows, sniff, x_archive_rows

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

# Fields in CSV can be long (Reddit posts); allow them, bounded.
csv.field_size_limit(10 * 1024 * 1024)


@dataclass(frozen=True)
class BadRow:
    """A row that could not be imported, and why."""

    line: int
    reason: str


@dataclass(frozen=True)
class GoodRow:
    """A row that became a mention."""

    line: int
    record: MentionRecord


ImportRow = GoodRow | BadRow


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
        found = sniff(path)
        if found:
            return found
    raise InputError(
        f"{path.name}: unknown file type; use .csv or .jsonl, or --format one of "
        + ", ".join(FORMATS)
    )


def read_import_file(
    path: Path, *, brand_handles: frozenset[str] = frozenset(), fmt: str | None = None
) -> Iterator[ImportRow]:
    """Yield each row of ``path`` as a :class:`GoodRow` or a :class:`BadRow`, in file order."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    fmt = (fmt or detect_format(path)).lower()
    readers = {
        "csv": _csv_rows,
        "jsonl": _jsonl_rows,
        "x-archive": x_archive_rows,
        "reddit-json": reddit_json_rows,
    }
    if fmt not in readers:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    rows = readers[fmt](path)
    for line, row in rows:
        if isinstance(row, str):
            yield BadRow(line, row)
            continue
        try:
            yield GoodRow(line, row_to_record(row, brand_handles=brand_handles))
        except InputError as exc:
            yield BadRow(line, str(exc))


def row_to_record(
    row: dict[str, Any], *, brand_handles: frozenset[str] = frozenset()
) -> MentionRecord:
    """Turn one import row into a validated mention; ``InputError`` says what is wrong."""
    missing = [c for c in REQUIRED_COLUMNS if _blank(row.get(c)) and c != "text"]
    if "text" not in row or row["text"] is None:
        missing.append("text")
    if missing:
        raise InputError(f"missing {', '.join(missing)}")
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
            is_brand=_opt_bool(row.get("is_brand"), "is_brand") or handle.lower() in brand_handles,
        )
        extra = {k: v for k, v in row.items() if k not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}
        return MentionRecord(
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
        raise InputError(f"{field}: {message}") from None


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        absent = [c for c in REQUIRED_COLUMNS if c not in header]
        if absent:
            raise InputError(f"{path.name}: the header lacks {', '.join(absent)}", line=1)
        start = reader.line_num + 1
        for row in reader:
            if None in row:  # more cells than header columns
                yield start, f"{len(header) + len(row[None])} cells, header has {len(header)}"
            elif any(v is None for v in row.values()):
                yield start, "fewer cells than the header has columns"
            else:
                yield start, dict(row)
            start = reader.line_num + 1


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                yield number, f"not valid JSON ({exc.msg} at column {exc.colno})"
                continue
            if not isinstance(value, dict):
                yield number, f"expected a JSON object, got {type(value).__name__}"
                continue
            yield number, value


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
