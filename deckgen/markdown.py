"""The one markdown-it-py configuration shared by the parser and the renderer."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from deckgen.highlight import highlight_fence
from deckgen.labels import starts_with_label


@cache
def markdown() -> MarkdownIt:
    """CommonMark plus tables and strikethrough; raw HTML is shown as text, not injected."""
    md = MarkdownIt("commonmark", {"html": False, "highlight": highlight_fence})
    md.enable(["table", "strikethrough"])
    md.block.ruler.before(
        "paragraph",
        "deckgen_label_line",
        label_line_ends_block,
        {"alt": ["paragraph", "blockquote", "list"]},
    )
    return md


def label_line_ends_block(state: StateBlock, line: int, _end: int, silent: bool) -> bool:
    """A `**Label:**` line at column 0 ends the paragraph, list or quote above it.

    Without this, CommonMark reads it as a "lazy continuation" of the list item or
    quote before it, and the label would silently vanish into that block. The rule
    only terminates blocks (silent mode); the line itself is parsed as a paragraph.
    """
    if not silent:
        return False
    start = state.bMarks[line] + state.tShift[line]
    if start > 0 and state.src[start - 1] != "\n":
        return False  # indented or inside a container: ordinary content
    return starts_with_label(state.src[start : state.eMarks[line]])
