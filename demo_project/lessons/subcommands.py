"""How a lesson module runs the one part a card names: `python -m lessons.X PART`.

A lesson teaches several cards, each with a command of its own, so every module maps part
names to functions and hands them here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence


def run_subcommand(
    module: str, parts: Mapping[str, Callable[[], int | None]], argv: Sequence[str]
) -> int:
    """Run the part `argv` names; exit status 2 and a usage line for anything else."""
    if len(argv) != 1 or argv[0] not in parts:
        print(f"usage: python -m {module} {{{'|'.join(parts)}}}", file=sys.stderr)
        return 2
    return parts[argv[0]]() or 0
