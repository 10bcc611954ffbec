"""The one markdown-it-py configuration shared by the parser and the renderer."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt

from deckgen.highlight import highlight_fence


@cache
def markdown() -> MarkdownIt:
    """CommonMark plus tables and strikethrough; raw HTML is shown as text, not injected."""
    md = MarkdownIt("commonmark", {"html": False, "highlight": highlight_fence})
    return md.enable(["table", "strikethrough"])
