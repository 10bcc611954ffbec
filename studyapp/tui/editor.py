"""Which command opens a card's source file at its line (`$VISUAL`/`$EDITOR`, else vi/nano)."""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping
from pathlib import Path

FALLBACK_EDITORS = ("vi", "nano")


class NoEditorError(Exception):
    pass


def editor_command(path: Path, line: int, env: Mapping[str, str] | None = None) -> list[str]:
    """`EDITOR +LINE PATH` (vi, vim, nano, emacs, micro, kak and code -g all accept `+LINE`)."""
    env = os.environ if env is None else env
    configured = env.get("VISUAL") or env.get("EDITOR")
    if configured:
        base = shlex.split(configured)
    else:
        found = next((name for name in FALLBACK_EDITORS if shutil.which(name)), None)
        if found is None:
            raise NoEditorError("no editor found: set $EDITOR")
        base = [found]
    return [*base, f"+{line}", str(path)]
