"""Turn a card's command text into an argv, a working directory and an environment.

A command runs without a shell (`shlex.split` + exec) unless it uses shell syntax outside
quotes (pipes, `;`, `&&`, redirections, `$`, globs, newlines, `VAR=value` prefixes...); then
it runs under `bash -c` with errexit/nounset/pipefail so a failing step fails the card. The working
directory and the environment are the demo's (`demo_project.contract`).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from demo_project.contract import DEMO_DIR, run_environment

BASH_PREAMBLE = "set -o errexit -o nounset -o pipefail\n"

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
