"""The one markdown-it-py configuration of the card format: for reading card files, for
rendering them to Anki's HTML and for showing them in the terminal."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.paragraph import paragraph
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from deckgen.cardformat.labels import LABEL_MARKERS, label_at_start

LABEL_TOKEN = "deckgen_label"


def card_markdown(highlight: Callable[[str, str, str], str] | None = None) -> MarkdownIt:
    """The card format's Markdown, wherever a card is shown (Anki and the terminal alike):
    CommonMark plus tables and strikethrough; raw HTML is shown as text, never injected.
    `highlight` is markdown-it's hook for fenced code (the Anki build passes Pygments)."""
    md = MarkdownIt("commonmark", {"html": False, "highlight": highlight})
    md.enable(["table", "strikethrough"])
    return md


@cache
def structure_markdown() -> MarkdownIt:
    """`card_markdown` plus the card format's one addition, for reading card files: a
    `**Label:**` line is its own block token (`deckgen_label`, label word in `.info`),
    followed by the rest of its line as an ordinary paragraph, and renders as nothing."""
    md = card_markdown()
    # Before `lheading`, so a label line never becomes the text of an underlined heading.
    md.block.ruler.after(
        "table", LABEL_TOKEN, label_line, {"alt": ["paragraph", "blockquote", "list"]}
    )
    md.add_render_rule(LABEL_TOKEN, lambda *_args: "")
    md.core.ruler.at("inline", inline_except_structure)
    return md


def inline_except_structure(state: StateCore) -> None:
    """markdown-it's inline pass, minus deck and card headings: their text is used raw (as
    deck name and title), never rendered, so parsing it is wasted (its figure, with the
    highlight memo's: deckgen/highlight.py)."""
    previous = None
    for token in state.tokens:
        if token.type == "inline" and not is_structure_heading(previous):
            if token.children is None:
                token.children = []
            state.md.inline.parse(token.content, state.md, state.env, token.children)
        previous = token


def is_structure_heading(token: Token | None) -> bool:
    """`# Deck` and `## Card` (ATX style at the top level); underlined (setext) headings
    and deeper levels are ordinary content of a field."""
    return (
        token is not None
        and token.type == "heading_open"
        and token.level == 0
        and token.markup in ("#", "##")
    )


def label_line(state: StateBlock, line: int, end: int, silent: bool) -> bool:
    """A label line at the top level (or at column 0 anywhere) starts a new field.

    At column 0 it also ends the paragraph, list or quote above it: CommonMark would
    otherwise read it as a "lazy continuation" of that block and the label would
    silently vanish into it. Indented inside a list item or quote it is plain content.
    """
    start = state.bMarks[line] + state.tShift[line]
    if state.src[start : start + 2] not in LABEL_MARKERS:
        return False  # most lines: this rule runs on every line and as every terminator
    at_column_0 = start == 0 or state.src[start - 1] == "\n"
    at_top = state.level == 0 and state.blkIndent == 0 and state.sCount[line] < 4
    if not (at_column_0 or at_top):
        return False
    found = label_at_start(state.src[start : state.eMarks[line]])
    if found is None:
        return False
    if silent:
        return True
    if state.level != 0:
        return False
    word, marker, length = found
    token = state.push(LABEL_TOKEN, "", 0)
    token.map = [line, line + 1]
    token.info = word
    token.markup = marker
    token.block = True
    rest = start + length
    while rest < state.eMarks[line] and state.src[rest] in " \t":
        rest += 1
    if rest >= state.eMarks[line]:
        state.line = line + 1
        return True
    # The rest of the label's line (and the lines that continue it) is a paragraph.
    saved = state.bMarks[line], state.tShift[line], state.sCount[line]
    state.bMarks[line], state.tShift[line], state.sCount[line] = rest, 0, 0
    try:
        paragraph(state, line, end, False)
    finally:
        state.bMarks[line], state.tShift[line], state.sCount[line] = saved
    return True
