"""Checking an untrusted playbook in a child process with CPU-time and memory limits.

The board validates playbooks that people upload. Template rendering is already bounded
(:mod:`playbooks.templates`), but parsing and checking someone else's file is still work the
board's own process should never do: :func:`validate_isolated` runs
``python -m playbooks.isolated`` with ``RLIMIT_CPU`` and ``RLIMIT_AS`` set (the child sets them
on itself before it reads a byte of the file) and a wall-clock timeout, and reads its verdict
back as one JSON object on stdout. The child imports only the playbook loader (pydantic,
PyYAML, Jinja2), never the scorer or the database, and gets no secrets in its environment.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from core.errors import PlaybookError
from playbooks.loader import load_playbook

log = logging.getLogger(__name__)

CPU_SECONDS = 5
MEMORY_BYTES = 512 * 1024 * 1024
TIMEOUT_SECONDS = 30.0
MAX_MESSAGE_CHARS = 2_000

TOO_SLOW = "the playbook took too long to validate"
TOO_BIG = "the playbook used too much memory to validate"


@dataclass(frozen=True)
class ValidationResult:
    """The verdict on a playbook: valid with its counts, or the problem (with file and line)."""

    ok: bool
    message: str
    path: str | None = None
    line: int | None = None
    brand: str = ""
    topics: int = 0
    templates: int = 0
    facts: int = 0

    def as_dict(self) -> dict[str, object]:
        """The verdict as JSON-ready data (what the child prints)."""
        return {
            "ok": self.ok,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "brand": self.brand,
            "topics": self.topics,
            "templates": self.templates,
            "facts": self.facts,
        }


def validate_isolated(
    playbook_path: Path,
    facts_path: Path | None = None,
    *,
    cpu_seconds: int = CPU_SECONDS,
    memory_bytes: int = MEMORY_BYTES,
    timeout_s: float = TIMEOUT_SECONDS,
) -> ValidationResult:
    """Validate a playbook (and facts file) in a limited child process; never raises for a
    bad or hostile file: a limit hit is a result with a clear message."""
    command = [
        sys.executable,
        "-m",
        __name__,
        "--cpu-seconds",
        str(cpu_seconds),
        "--memory-bytes",
        str(memory_bytes),
        str(playbook_path),
    ]
    if facts_path is not None:
        command.append(str(facts_path))
    return run_checker(command, timeout_s=timeout_s)


def run_checker(command: list[str], *, timeout_s: float) -> ValidationResult:
    """Run a checker command with a bare environment; its verdict, or the limit it hit."""
    try:
        proc = subprocess.run(  # our own interpreter and module, no shell
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env=_child_env(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        log.warning("playbook validation passed %.0f s and was stopped", timeout_s)
        return ValidationResult(ok=False, message=TOO_SLOW)
    return _verdict(proc)


def _child_env() -> dict[str, str]:
    """The child's whole environment, built from nothing: it inherits no credentials (and this
    package reads none), yet finds this package and reads files as UTF-8."""
    root = str(Path(__file__).resolve().parent.parent)
    return {"PYTHONPATH": root, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUTF8": "1"}


def _verdict(proc: subprocess.CompletedProcess[str]) -> ValidationResult:
    killed_by = -proc.returncode if proc.returncode < 0 else None
    if killed_by in (signal.SIGXCPU, signal.SIGKILL):
        log.warning("playbook validation stopped by signal %s", killed_by)
        return ValidationResult(ok=False, message=TOO_SLOW)
    lines = proc.stdout.strip().splitlines()
    try:
        data = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return ValidationResult(
            ok=bool(data.get("ok")),
            message=data["message"],
            path=data.get("path") if isinstance(data.get("path"), str) else None,
            line=data.get("line") if isinstance(data.get("line"), int) else None,
            brand=str(data.get("brand") or ""),
            topics=int(data.get("topics") or 0),
            templates=int(data.get("templates") or 0),
            facts=int(data.get("facts") or 0),
        )
    if "MemoryError" in proc.stderr:
        return ValidationResult(ok=False, message=TOO_BIG)
    log.warning(
        "playbook validation failed (exit %s): %s",
        proc.returncode,
        proc.stderr[-MAX_MESSAGE_CHARS:],
    )
    return ValidationResult(
        ok=False,
        message=f"the playbook could not be validated (checker exit code {proc.returncode})",
    )


# -- the child ---------------------------------------------------------------------------------


def limit_self(cpu_seconds: int, memory_bytes: int) -> None:
    """Cap this process: SIGXCPU at ``cpu_seconds`` of CPU (SIGKILL a second later), and no
    more than ``memory_bytes`` of address space; no core file either way."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def check(playbook_path: Path, facts_path: Path | None) -> ValidationResult:
    """Load the playbook with the engine's own loader and sum up the outcome."""
    try:
        pb = load_playbook(playbook_path, facts_path=facts_path)
    except PlaybookError as exc:
        return ValidationResult(
            ok=False,
            message=str(exc)[:MAX_MESSAGE_CHARS],
            path=str(exc.path) if exc.path is not None else None,
            line=exc.line,
        )
    except MemoryError:
        return ValidationResult(ok=False, message=TOO_BIG)
    except RecursionError:
        return ValidationResult(ok=False, message="the playbook nests too deeply to validate")
    templates = sum(len(t) for t in pb.templates.values())
    return ValidationResult(
        ok=True,
        message=(
            f"valid: {len(pb.topics)} topics, {templates} templates, {len(pb.facts.facts)} facts"
        ),
        brand=pb.brand.name,
        topics=len(pb.topics),
        templates=templates,
        facts=len(pb.facts.facts),
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m playbooks.isolated PLAYBOOK [FACTS]``: limit self, check, print JSON."""
    parser = argparse.ArgumentParser(prog="python -m playbooks.isolated")
    parser.add_argument("--cpu-seconds", type=int, default=CPU_SECONDS)
    parser.add_argument("--memory-bytes", type=int, default=MEMORY_BYTES)
    parser.add_argument("playbook", type=Path)
    parser.add_argument("facts", type=Path, nargs="?")
    args = parser.parse_args(argv)
    limit_self(args.cpu_seconds, args.memory_bytes)
    result = check(args.playbook, args.facts)
    sys.stdout.write(json.dumps(result.as_dict()) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
