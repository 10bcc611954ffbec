"""Cutting a card file into chunks: one per card, cut at certain top-level headings.

Each chunk can then be parsed, cached and rendered on its own (and in parallel). The cut
points are only lines that markdown-it must read as a heading whatever precedes them
(column 0, outside any fence); anything less certain stays in one chunk, which the token
walk handles like a whole file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deckgen.cardformat.model import CardKind
from deckgen.cardformat.recordings import Recording

HEADING_OR_FENCE_STARTS = frozenset("#`~ ")


def normalize_newlines(text: str) -> str:
    # markdown-it counts lines by "\n" after this same normalisation; keep them aligned.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")


@dataclass(frozen=True)
class DeckContext:
    """What a card inherits from its deck heading and the deck's options."""

    deck: str
    kind: CardKind | None = None
    tags: tuple[str, ...] = ()


@dataclass(slots=True)  # not frozen: tens of thousands are made per build, frozen is slower
class ChunkJob:
    """One card's text (from its `## ` line to the next heading), parsable on its own."""

    path: Path
    index: int  # position of the chunk in its file
    start: int  # 0-based line of the chunk in the file
    text: str
    context: DeckContext
    deck_prefix: tuple[str, ...] = ()
    media_root: Path | None = None  # images must resolve inside it; None: the file's folder
    recordings: dict[str, Recording] | None = None  # the file's, by card id (for rendering)


@dataclass(slots=True)
class ChunkStart:
    line: int  # 0-based
    offset: int  # index of the line's first character in the text


def chunk_starts(text: str) -> list[ChunkStart]:
    """Where chunks start: the first line, and every certain `# `/`## ` heading line."""
    starts = [ChunkStart(0, 0)]
    fence: tuple[str, int] | None = None
    offset = 0
    for number, line in enumerate(text.split("\n")):
        line_offset, offset = offset, offset + len(line) + 1
        if fence is None and line[:1] not in HEADING_OR_FENCE_STARTS:
            continue  # fast path: most lines cannot start a heading or a fence
        stripped = line.lstrip(" ")
        if len(line) - len(stripped) > 3:
            continue  # indented code (or content of a list item), never structure
        if fence is not None:
            char, length = fence
            closing = stripped.rstrip()
            if len(closing) >= length and closing == char * len(closing):
                fence = None
        elif stripped[:3] in ("```", "~~~"):
            char = stripped[0]
            length = len(stripped) - len(stripped.lstrip(char))
            if not (char == "`" and "`" in stripped[length:]):
                fence = (char, length)
        elif number and is_top_heading_line(line):
            starts.append(ChunkStart(number, line_offset))
    return starts


def is_top_heading_line(line: str) -> bool:
    """`# ...` or `## ...` at column 0 (an ATX heading of level 1 or 2, maybe empty)."""
    hashes = len(line) - len(line.lstrip("#"))
    rest = line[hashes:]
    return hashes in (1, 2) and (not rest or rest[0] in " \t")
