"""The card being reviewed: Front, then (once revealed) Back and the card's command."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Markdown, Rule

from deckgen.model import Card, RunSpec
from studyapp.tui.widgets.card_text import back_markdown, front_markdown


def run_markdown(run: RunSpec) -> str:
    """The Run command (and what it must print) as Markdown, shown below the Back."""
    service = " (keeps running)" if run.service else ""
    parts = [f"**Run in demo_project/**{service}", "", "```bash", run.command.rstrip(), "```"]
    if run.expect:
        parts += ["", "**Expect in the output**", "", "```text", run.expect.strip(), "```"]
    return "\n".join(parts)


class CardView(Vertical):
    """Shows one card; `reveal()` uncovers the answer side."""

    def compose(self) -> ComposeResult:
        yield Label("", id="card-deck")
        yield Markdown(id="card-front")
        yield Rule(id="card-rule")
        yield Markdown(id="card-back")
        yield Markdown(id="card-run")

    async def show(self, card: Card) -> None:
        """Put `card` in place, answer hidden."""
        self.set_class(False, "-revealed")
        self.query_one("#card-deck", Label).update(f"{card.deck}  ·  {card.title}")
        await self.query_one("#card-front", Markdown).update(front_markdown(card))
        await self.query_one("#card-back", Markdown).update(back_markdown(card))
        self.set_class(card.run is not None, "-has-run")
        await self.query_one("#card-run", Markdown).update(
            run_markdown(card.run) if card.run else ""
        )

    def reveal(self) -> None:
        self.set_class(True, "-revealed")

    @property
    def revealed(self) -> bool:
        return self.has_class("-revealed")
