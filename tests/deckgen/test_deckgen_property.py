"""Arbitrary text never crashes the parser: it either yields cards or reports errors."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckgen.cardformat.chunks import ChunkJob, DeckContext, normalize_newlines
from deckgen.cardformat.parse import parse_chunk, parse_document, parse_text
from deckgen.render import render_card

# Pieces of the card format, so the generator reaches the interesting paths often.
FRAGMENTS = [
    "# Deck\n",
    "## Card 1: Title\n",
    "## \n",
    "**Front:** ",
    "**Back:**\n",
    "**Tags:** a, b\n",
    "**ID:** x-1\n",
    "**Run:** `ls`\n",
    "**Run:**\n```bash\nls\n```\n",
    "**Expect:** re: .*\n",
    "**Timeout:** 5\n",
    "**Service:** yes\n",
    "**Type:** reversed\n",
    "**Bogus:** x\n",
    "{{c1::word}}",
    "```\n",
    "~~~~\n",
    "- item\n",
    "  - nested\n",
    "> quote\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "![img](missing.png)\n",
    "[ref]: http://example.com\n",
    "\n",
    "\r\n",
    "\t",
    "text <b> & more\n",
]

markdownish = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=30
).map("".join)


# Well-formed cards whose bodies mix blocks that look like structure but are not.
BODY_BLOCKS = [
    "- item\n",
    "  - nested\n",
    "> quote\n",
    "> **Tip:** inside a quote\n",
    "```\ncode\n## not a card\n# not a deck\n```\n",
    "~~~~ text\n**Front:** not a label\n~~~~\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "Plain text with `code` and *emphasis*.\n",
    "Underlined\n---\n",
    "Big\n===\n",
    "### A sub-heading\n",
    "    indented code\n",
    "#not-a-heading\n",
    "\n",
    "[ref]: http://example.com\n",
]
LABEL_BLOCKS = ["**Tags:** a, b\n", "**Run:** `ls`\n", "**Type:** reversed\n", ""]


@st.composite
def card_files(draw: st.DrawFn) -> str:
    parts = [draw(st.sampled_from(["# Deck\n", "# Deck\n**Tags:** t\n", "", "Intro.\n"]))]
    for number in range(draw(st.integers(1, 5))):
        parts.append(f"\n## Card {number}: Title {number}\n**Front:** question {number}\n")
        parts.append(draw(st.sampled_from(["**Back:**\n", "**Back:** answer\n"])))
        parts.extend(draw(st.lists(st.sampled_from(BODY_BLOCKS), min_size=1, max_size=6)))
        parts.append(draw(st.sampled_from(LABEL_BLOCKS)))
    return "".join(parts)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(markdownish, card_files(), st.text(max_size=400)))
def test_any_text_parses_or_reports_errors(text: str) -> None:
    path = Path("cards/any.md")
    result = parse_text(text, path)
    assert result.cards or result.errors
    for problem in result.errors:
        assert problem.location.path == path
        assert problem.location.line >= 1
        assert "\n" not in problem.message
    for card in result.cards:
        assert card.id and card.front.strip() and card.back.strip()
    # Rendering what parsed must not crash either (missing images are reported).
    document = parse_document(text, path)
    for parsed in document.parsed:
        render_card(parsed, None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(card_files())
def test_cutting_into_cards_changes_nothing(text: str) -> None:
    """The per-card chunks parse exactly like the whole file walked in one piece,
    whenever the chunked parse reports no problem."""
    path = Path("cards/any.md")
    chunked = parse_document(text, path)
    if chunked.errors:
        return
    body = normalize_newlines(text.removeprefix("\ufeff"))
    whole = parse_chunk(ChunkJob(path, 0, 0, body, DeckContext(path.stem)))
    assert whole.errors == []
    assert [p.card for p in chunked.parsed] == [p.card for p in whole.parsed]
