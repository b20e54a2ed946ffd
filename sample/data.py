"""The sample's content, read from the YAML files in ``sample/data/`` and checked on load.

Each file has one shape (``sample/schema.py``); a malformed file fails with a ``SampleDataError``
that names the file and the entry (``spike.yaml: posts[3] ('Brightloop down…'): ...``).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from core.errors import InputError
from sample.schema import SampleData, SpikePost, ThreadPost

DATA_DIR = Path(__file__).resolve().parent / "data"


class SampleDataError(InputError):
    """A sample data file is missing, not YAML, or does not have its shape."""

    def __init__(self, message: str, *, path: Path) -> None:
        super().__init__(f"{path.name}: {message}")
        self.path = path


def _file_models() -> dict[str, type[BaseModel]]:
    models: dict[str, type[BaseModel]] = {}
    for name, field in SampleData.model_fields.items():
        shape = field.annotation
        if not (isinstance(shape, type) and issubclass(shape, BaseModel)):
            raise TypeError(f"SampleData.{name} must name a model of one data file")
        models[name] = shape
    return models


FILES: dict[str, type[BaseModel]] = _file_models()


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not re.fullmatch(r"[a-z_]+", part) or part in ("str", "int", "bool"):
            continue  # the union member pydantic tried, not a place in the file
        else:
            out += f".{part}" if out else part
    return out or "(top)"


def _entry(raw: Any, loc: tuple[int | str, ...]) -> str:
    """The start of the text of the innermost list entry on ``loc``, to find it by eye."""
    node, found = raw, None
    for part in loc:
        if isinstance(node, str):
            break
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(part, int):
            found = node
    if isinstance(found, dict):
        found = next((found[k] for k in ("text", "handle", "question") if k in found), None)
    if not isinstance(found, str):
        return ""
    return f" ({found if len(found) <= 40 else found[:40] + '…'!r})"


def load_file(path: Path, model: type[BaseModel]) -> Any:
    """Read one data file and check it has ``model``'s shape."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SampleDataError(f"cannot read: {exc.strerror}", path=path) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise SampleDataError(f"{where}not valid YAML: {exc}", path=path) from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        # Of a union's failed members, the one that got furthest names the real mistake.
        error = max(exc.errors(), key=lambda e: len(e["loc"]))
        where = _where(error["loc"])
        entry = _entry(raw, error["loc"])
        raise SampleDataError(f"{where}{entry}: {error['msg']}", path=path) from exc


@cache
def load(data_dir: Path = DATA_DIR) -> SampleData:
    """Every sample data file, checked, with claim ids cross-checked against ``claims.yaml``."""
    files = {name: load_file(data_dir / f"{name}.yaml", model) for name, model in FILES.items()}
    data = SampleData(**files)
    known = {claim.claim_id for claim in data.claims.claims}
    for name, claim in _claims_named(data):
        if claim not in known:
            raise SampleDataError(f"unknown claim {claim!r}", path=data_dir / f"{name}.yaml")
    return data


def _claims_named(data: SampleData) -> list[tuple[str, str]]:
    named: list[tuple[str, str | None]] = []
    named += [("everyday", c.claim) for c in data.everyday.counterfactual]
    named += [("everyday", f.claim) for f in data.everyday.foreign]
    named += [
        ("conversations", step.claim)
        for critics in data.conversations.root.values()
        for critic in critics
        for step in critic.steps
    ]
    named += [("spike", p.claim) for p in data.spike.posts if isinstance(p, SpikePost)]

    def walk(posts: list[ThreadPost]) -> None:
        for post in posts:
            named.append(("threads", post.claim))
            walk(post.replies)

    walk([*data.threads.long_reads, *data.threads.influencers])
    return [(name, claim) for name, claim in named if claim is not None]
