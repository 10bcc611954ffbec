"""Cutting a card file into chunks: one per card, cut at certain top-level headings.

Each chunk can then be parsed, cached and rendered on its own (and in parallel). The cut
points are only lines that markdown-it must read as a heading whatever precedes them
(column 0, outside any fence); anything less certain stays in one chunk, which the token
walk handles like a whole file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from deckgen.model import CardKind


def normalize_newlines(text: str) -> str:
    # markdown-it counts lines by "\n" after this same normalisation; keep them aligned.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")


@dataclass(frozen=True)
class DeckContext:
    """What a card inherits from its deck heading and the deck's options."""

    deck: str
    kind: CardKind | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChunkJob:
    """One card's text (from its `## ` line to the next heading), parsable on its own."""

    path: Path
    index: int  # position of the chunk in its file
    start: int  # 0-based line of the chunk in the file
    text: str
    context: DeckContext
    deck_prefix: tuple[str, ...] = ()


# Every line that can open or close a fence, or be a `#`/`##` heading at column 0.
CANDIDATE_LINE = re.compile(r"^(?: {0,3}(?:`{3,}|~{3,})|##?(?:[ \t]|$))", re.MULTILINE)


@dataclass(frozen=True)
class ChunkStart:
    line: int  # 0-based
    offset: int  # index of the line's first character in the text


def chunk_starts(text: str) -> list[ChunkStart]:
    """Where chunks start: the first line, and every certain `# `/`## ` heading line."""
    starts = [ChunkStart(0, 0)]
    fence: tuple[str, int] | None = None
    line_number, counted_to = 0, 0
    for match in CANDIDATE_LINE.finditer(text):
        offset = match.start()
        line_number += text.count("\n", counted_to, offset)
        counted_to = offset
        end = text.find("\n", offset)
        line = text[offset : end if end >= 0 else len(text)]
        stripped = line.lstrip(" ")
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
        elif line_number:
            starts.append(ChunkStart(line_number, offset))
    return starts
