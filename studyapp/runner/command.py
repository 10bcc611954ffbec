"""Turn a card's command text into an argv, a working directory and an environment.

A command runs without a shell (`shlex.split` + exec) unless it uses shell syntax outside
quotes (pipes, `;`, `&&`, redirections, `$`, globs, newlines, `VAR=value` prefixes...); then
it runs under `bash -c` with errexit/nounset/pipefail so a failing step fails the card.
"""

from __future__ import annotations

import os
import re
import shlex
import sysconfig
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo_project"
# The learner's settings for the demo stack (see demo_project/.env.example); honcho reads the
# same file when it starts the stack, so card commands see the same Redis and ports.
DEMO_DOTENV = DEMO_DIR / ".env"
BASH_PREAMBLE = "set -o errexit -o nounset -o pipefail\n"

# Defaults of contract 4; a value already in the environment wins.
DEMO_ENV_DEFAULTS: Mapping[str, str] = {
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CELERY_RESULT_BACKEND": "redis://127.0.0.1:6379/1",
    "FLOWER_PORT": "5555",
}

# Characters that mean something to bash when they stand outside quotes.
_UNQUOTED_SPECIAL = set("|&;<>()$`*?[]{}\n\r")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
# Words that only exist inside bash (no program of that name to exec).
_SHELL_ONLY_WORDS = frozenset(
    [
        "cd",
        "exit",
        "export",
        "source",
        ".",
        "set",
        "unset",
        "alias",
        "eval",
        "exec",
        "if",
        "for",
        "while",
        "until",
        "case",
        "function",
        "time",
        "ulimit",
        "umask",
        "read",
        "shift",
        "trap",
        "wait",
        "declare",
        "local",
        "return",
        "{",
        "(",
        "[[",
    ]
)


def needs_shell(command: str) -> bool:
    """Whether `command` uses shell syntax outside of quotes."""
    stripped = command.strip()
    if _ASSIGNMENT.match(stripped):
        return True  # `VAR=value cmd` is shell syntax, exec would look for a program `VAR=value`
    first_word = stripped.split(maxsplit=1)[0] if stripped else ""
    if first_word in _SHELL_ONLY_WORDS:
        return True
    quote: str | None = None
    at_word_start = True
    escaped = False
    for char in stripped:
        if escaped:
            escaped = False
            at_word_start = False
            continue
        if quote == "'":
            if char == "'":
                quote = None
            continue
        if quote == '"':
            if char in "$`":
                return True  # expansion inside double quotes
            if char == "\\":
                escaped = True
            elif char == '"':
                quote = None
            continue
        if char == "\\":
            escaped = True
            continue
        if char in "'\"":
            quote = char
            at_word_start = False
            continue
        if char in _UNQUOTED_SPECIAL:
            return True
        if at_word_start and char in "#~":
            return True  # a comment or a home-directory expansion
        at_word_start = char in " \t"
    return quote is not None  # an unbalanced quote: let bash report it


def venv_bin_dir() -> Path:
    return Path(sysconfig.get_path("scripts"))


def dotenv_values(path: Path) -> dict[str, str]:
    """The KEY=VALUE lines of a `.env` file, parsed as honcho parses them (comments and
    blank lines skipped, quotes removed); {} when the file is missing or unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    from honcho.environ import parse  # late: only when a .env exists

    try:
        values = parse(text)
    except ValueError:  # an unbalanced quote: shlex gives up on that file
        return {}
    return {str(key): str(value) for key, value in values.items()}


def run_environment(
    overrides: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
    dotenv: Path | None = None,
) -> dict[str, str]:
    """The environment a card command runs in: `base` (default os.environ), then the demo's
    `.env` (`dotenv`, default demo_project/.env) and the demo defaults for what is still
    unset, then `overrides`; the venv's `bin/` first on PATH."""
    env = dict(os.environ if base is None else base)
    for key, value in dotenv_values(DEMO_DOTENV if dotenv is None else dotenv).items():
        env.setdefault(key, value)
    for key, value in DEMO_ENV_DEFAULTS.items():
        env.setdefault(key, value)
    if overrides:
        env.update(overrides)
    bin_dir = str(venv_bin_dir())
    path_parts = [p for p in env.get("PATH", os.defpath).split(os.pathsep) if p and p != bin_dir]
    env["PATH"] = os.pathsep.join([bin_dir, *path_parts])
    env.setdefault("PYTHONUNBUFFERED", "1")  # so output streams line by line
    return env


@dataclass(frozen=True)
class PreparedCommand:
    source: str  # the command as written on the card
    argv: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str] = field(repr=False)
    uses_shell: bool

    def display(self) -> str:
        return self.source.strip()


def prepare(
    command: str,
    env_overrides: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    base_env: Mapping[str, str] | None = None,
) -> PreparedCommand:
    """Decide shell vs exec and build the full run description for `command`."""
    if not command.strip():
        raise ValueError("empty command")
    env = run_environment(env_overrides, base_env)
    uses_shell = needs_shell(command)
    if uses_shell:
        argv: tuple[str, ...] = ("bash", "-c", BASH_PREAMBLE + command.strip())
    else:
        argv = tuple(shlex.split(command))
    return PreparedCommand(
        source=command,
        argv=argv,
        cwd=cwd if cwd is not None else DEMO_DIR,
        env=env,
        uses_shell=uses_shell,
    )
