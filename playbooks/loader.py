"""Loading playbook and facts files with errors that name the file and line.

YAML is parsed twice over the same text: once to nodes (which keep their line marks) and once
to data. A pydantic error's location (``("thresholds", "troll_likely")``) is walked down the
node tree to find the line. Templates are compiled and rendered with sample values here, so a
broken template or an unknown variable fails at validate time. Each template is rendered
twice, with short sample values and with the longest values a case can bring (a full-length
name, every fact, ``private`` on), both within the sandbox's limits, so a template that would
grow past them at run time fails here too. An experiment's variants are templates like any
other and are checked the same way; the experiment must name a template the playbook has.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from pydantic import ValidationError

from core.errors import PlaybookError
from playbooks.schema import FactsLibrary, Playbook
from playbooks.templates import (
    MAX_INCIDENT_TEXT_CHARS,
    MAX_NAME_CHARS,
    SAMPLE_CONTEXT,
    TemplateLimitError,
    compile_template,
    fact_text,
    render_template,
)

log = logging.getLogger(__name__)

DEFAULT_DIR = Path(__file__).with_name("default")
DEFAULT_PLAYBOOK = DEFAULT_DIR / "playbook.yaml"
MAX_FILE_BYTES = 2_000_000


def load_active_playbook(
    playbook_path: str | Path | None = None, facts_path: str | Path | None = None
) -> Playbook:
    """The playbook the product runs with, the one way every stage and the board load it.

    ``playbook_path`` is the configured playbook (None: the bundled default) and ``facts_path``
    the configured facts library (None: the playbook's own ``facts_file``). The shell passes
    its settings' two paths here, so the runner, the demo and the board cannot disagree on
    which facts a reply quotes.
    """
    return load_playbook(
        Path(playbook_path) if playbook_path else None,
        facts_path=Path(facts_path) if facts_path else None,
    )


def load_playbook(path: Path | None = None, *, facts_path: Path | None = None) -> Playbook:
    """Load and fully check a playbook (None: the bundled default) and its facts library."""
    path = Path(path) if path is not None else DEFAULT_PLAYBOOK
    data, root = _read_yaml(path)
    if "facts" in data:
        raise PlaybookError(
            "facts live in their own file (facts_file), not in the playbook",
            path=path,
            line=_line_for(root, ("facts",)),
        )
    playbook = _validate(Playbook, data, root, path)
    facts_file = facts_path or (path.parent / playbook.facts_file)
    facts = load_facts(facts_file)
    playbook = playbook.model_copy(update={"facts": facts})
    _check_templates(playbook, root, path)
    log.debug(
        "loaded playbook %s (%d topics, %d facts)", path, len(playbook.topics), len(facts.facts)
    )
    return playbook


def load_facts(path: Path) -> FactsLibrary:
    """Load and check a facts library file."""
    data, root = _read_yaml(path)
    return _validate(FactsLibrary, data, root, path)


# -- reading and mapping errors to lines ---------------------------------------------------


def _read_yaml(path: Path) -> tuple[Any, yaml.Node]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PlaybookError(f"file is too large ({size} bytes)", path=path)
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlaybookError("no such file", path=path) from None
    except UnicodeDecodeError:
        raise PlaybookError("not UTF-8 text", path=path) from None
    except OSError as exc:
        raise PlaybookError(f"cannot read: {exc.strerror}", path=path) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlaybookError(
            f"not valid YAML: {problem}", path=path, line=mark.line + 1 if mark else None
        ) from None
    if root is None or not isinstance(data, dict):
        raise PlaybookError("expected a mapping of settings at the top level", path=path, line=1)
    return data, root


def _line_for(root: yaml.Node, loc: Sequence[int | str]) -> int:
    """The 1-based line of the deepest node along ``loc`` that exists in the file."""
    return _locate(root, loc)[0]


def _locate(root: yaml.Node, loc: Sequence[int | str]) -> tuple[int, yaml.Node]:
    """The line and node of the deepest node along ``loc`` (a key's line for mappings)."""
    node = root
    line = root.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if str(key.value) == str(part):
                    line = key.start_mark.line + 1
                    node = value
                    break
            else:
                return line, node
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                return line, node
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line, node
    return line, node


def _validate(model: type[Any], data: Any, root: yaml.Node, path: Path) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        located = [(_line_for(root, err["loc"]), err) for err in errors]
        located.sort(key=lambda item: item[0])
        first_line = located[0][0]
        parts = []
        for line, err in located[:5]:
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            parts.append(
                f"{where}: {err['msg']}"
                if len(located) == 1
                else f"line {line}: {where}: {err['msg']}"
            )
        more = f" (+{len(located) - 5} more)" if len(located) > 5 else ""
        raise PlaybookError("; ".join(parts) + more, path=path, line=first_line) from None


def _longest_context(playbook: Playbook) -> dict[str, object]:
    """The largest values a reply can be rendered with at run time."""
    topics = [t.replace("_", " ") for t in playbook.topics] or ["general"]
    return {
        "name": "N" * MAX_NAME_CHARS,
        "brand": playbook.brand.name,
        "topic": max(topics, key=len),
        "fact": fact_text(playbook, [f.id for f in playbook.facts.facts]),
        "private": True,
        "help": playbook.brand.help_url or "",
        "cause": "C" * MAX_INCIDENT_TEXT_CHARS,
        "fix": "F" * MAX_INCIDENT_TEXT_CHARS,
    }


def _check_templates(playbook: Playbook, root: yaml.Node, path: Path) -> None:
    known_topics = set(playbook.topics) | {"default", "general"}
    longest = _longest_context(playbook)
    for stage, by_topic in playbook.templates.items():
        for topic, source in by_topic.items():
            loc = ("templates", stage, topic)
            if topic not in known_topics:
                raise PlaybookError(
                    f"templates.{stage}.{topic}: no such topic (known: {sorted(known_topics)})",
                    path=path,
                    line=_line_for(root, loc),
                )
            _check_template(source, loc, root, path, longest)
    for name in playbook.experiments:
        _check_experiment(playbook, name, root, path, longest)


def _check_experiment(
    playbook: Playbook, name: str, root: yaml.Node, path: Path, longest: dict[str, object]
) -> None:
    """The experiment names a template the playbook has, no other experiment tries it, and
    every variant compiles and renders."""
    experiment = playbook.experiments[name]
    where = f"experiments.{name}"
    by_topic = playbook.templates.get(experiment.stage, {})
    rival = next(
        other
        for other, e in playbook.experiments.items()
        if (e.stage, e.topic) == (experiment.stage, experiment.topic)
    )
    problem: tuple[str, tuple[str, ...]] | None = None
    if experiment.stage not in playbook.templates:
        problem = (f"{where}.stage: the stage {experiment.stage!r} has no templates", ("stage",))
    elif experiment.topic not in by_topic:
        known = sorted(by_topic)
        problem = (
            f"{where}.topic: templates.{experiment.stage} has no {experiment.topic!r} "
            f"template (known: {known})",
            ("topic",),
        )
    elif rival != name:
        problem = (
            f"{where}: templates.{experiment.stage}.{experiment.topic} is already tried by "
            f"the experiment {rival!r}",
            (),
        )
    if problem is not None:
        message, sub = problem
        raise PlaybookError(message, path=path, line=_line_for(root, ("experiments", name, *sub)))
    for variant, source in experiment.variants.items():
        _check_template(source, ("experiments", name, "variants", variant), root, path, longest)


def _check_template(
    source: str,
    loc: tuple[str, ...],
    root: yaml.Node,
    path: Path,
    longest: dict[str, object],
) -> None:
    """Compile ``source`` and render it with the sample and the longest values, in the sandbox;
    any failure is a :class:`PlaybookError` at the template's line."""
    line, node = _locate(root, loc)
    first_text_line = line + 1 if getattr(node, "style", None) in ("|", ">") else line
    where = ".".join(loc)
    try:
        template = compile_template(source)
        render_template(template, SAMPLE_CONTEXT)
        render_template(template, longest)
    except TemplateSyntaxError as exc:
        raise PlaybookError(
            f"{where}: template syntax: {exc.message}",
            path=path,
            line=first_text_line + (exc.lineno or 1) - 1,
        ) from None
    except UndefinedError as exc:
        allowed = ", ".join(SAMPLE_CONTEXT)
        raise PlaybookError(
            f"{where}: {exc.message} (variables: {allowed})", path=path, line=line
        ) from None
    except SecurityError as exc:
        raise PlaybookError(f"{where}: not allowed: {exc}", path=path, line=line) from None
    except TemplateLimitError as exc:
        raise PlaybookError(f"{where}: {exc}", path=path, line=line) from None
    except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
        raise PlaybookError(f"{where}: cannot render: {exc}", path=path, line=line) from None
