"""The card being reviewed: Front, then (once revealed) Back and the card's command."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Markdown, Rule

from deckgen.cardformat.card_types import answer_markdown, question_markdown
from deckgen.cardformat.expect import parse_expect
from deckgen.cardformat.markdown import card_markdown
from deckgen.cardformat.model import Card, RunSpec
from studyapp.expect_words import ANY, NUMBER, pattern_in_words


@cache
def shared_parser() -> MarkdownIt:
    """The card format's Markdown, as the Anki build renders it (raw HTML shown as text, the
    same extensions), made once: building a parser costs on every update."""
    return card_markdown()


def run_markdown(run: RunSpec) -> str:
    """The Run command (and what it must print) as Markdown, shown below the Back.

    Expect shows its lines in order; a `re:` line shows as the text it looks for, `#` where
    a number goes and `…` where any text goes (a regular expression teaches nothing on
    screen; a failing one is still named when the run ends)."""
    service = " (keeps running)" if run.service else ""
    parts = [f"**Run in demo_project/**{service}", "", "```bash", run.command.rstrip(), "```"]
    lines = [line for line in parse_expect(run.expect) if line.error is None]
    if lines:
        shown = [
            line.text if line.pattern is None else pattern_in_words(line.pattern.pattern)
            for line in lines
        ]
        parts += ["", "**Expect in the output**, in this order", "", "```text", *shown, "```"]
        if any(line.pattern is not None for line in lines):
            parts += ["", f"({NUMBER} stands for a number, {ANY} for any text)"]
    return "\n".join(parts)


class CardView(Vertical):
    """Shows one card; `reveal()` renders and uncovers the answer side.

    The answer is rendered only when revealed, and visibility is switched with `display`
    rather than CSS classes (a class change restyles every Markdown block): both keep the
    time from a grade to the next Front small.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.card: Card | None = None
        self._revealed = False

    def compose(self) -> ComposeResult:
        yield Label("", id="card-deck")
        yield Markdown(id="card-front", parser_factory=shared_parser)
        yield Rule(id="card-rule")
        yield Markdown(id="card-back", parser_factory=shared_parser)
        yield Markdown(id="card-run", parser_factory=shared_parser)

    def on_mount(self) -> None:
        self._show_answer(False)

    async def show(self, card: Card) -> None:
        """Put `card` in place, answer hidden."""
        self.card = card
        self._revealed = False
        self._show_answer(False)
        self.query_one("#card-deck", Label).update(f"{card.deck}  ·  {card.title}")
        await self.query_one("#card-front", Markdown).update(question_markdown(card))

    async def refresh_card(self, card: Card) -> None:
        """Show `card` (the same card, edited) keeping the side that was showing."""
        revealed = self._revealed
        await self.show(card)
        if revealed:
            await self.reveal()

    async def reveal(self) -> None:
        if self.card is None or self._revealed:
            return
        card = self.card
        self._revealed = True
        await self.query_one("#card-back", Markdown).update(answer_markdown(card))
        await self.query_one("#card-run", Markdown).update(
            run_markdown(card.run) if card.run else ""
        )
        self._show_answer(True)

    def _show_answer(self, shown: bool) -> None:
        has_run = shown and self.card is not None and self.card.run is not None
        self.query_one("#card-rule").display = shown
        self.query_one("#card-back").display = shown
        self.query_one("#card-run").display = has_run

    @property
    def revealed(self) -> bool:
        return self._revealed
