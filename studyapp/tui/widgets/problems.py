"""A panel listing card-file problems as `path:line: message` (the app still opens)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from deckgen.cardformat.model import CardError


class ProblemsPanel(VerticalScroll):
    """Hidden when there is nothing to report; focusable so a long list can be scrolled."""

    DEFAULT_CSS = """
    ProblemsPanel {
        height: auto;
        max-height: 10;
        border: round $error;
        border-title-color: $error;
        padding: 0 1;
    }
    """

    def __init__(self, errors: Sequence[CardError], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.errors = list(errors)

    def compose(self) -> ComposeResult:
        yield Static(id="problems-text")

    def on_mount(self) -> None:
        self.set_problems(self.errors)

    def set_problems(self, errors: Sequence[CardError]) -> None:
        self.errors = list(errors)
        self.display = bool(self.errors)
        count = len(self.errors)
        self.border_title = f"{count} problem{'s' if count != 1 else ''} in the card files"
        # Text, not markup: messages may contain brackets.
        lines = Text("\n".join(str(error) for error in self.errors))
        self.query_one("#problems-text", Static).update(lines)
