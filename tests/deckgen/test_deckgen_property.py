"""Arbitrary text never crashes the parser: it either yields cards or reports errors."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckgen.build import render_parsed
from deckgen.parser import parse_document, parse_text

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


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(markdownish, st.text(max_size=400)))
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
        render_parsed(type(document)(parsed=[parsed]))
