"""ConfirmRunScreen: show a card file and its exact command; run only on an explicit yes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

if TYPE_CHECKING:
    from studyapp.tui.widgets.run_panel import RunPanel


def ask_to_run(app: App[object], request: RunPanel.ConfirmationNeeded) -> None:
    """Show the question a RunPanel asked for; its answer goes back to the panel."""

    def answered(confirmed: bool | None) -> None:
        request.panel.answer(request, bool(confirmed))

    app.push_screen(ConfirmRunScreen(request.card.location.path, request.run.command), answered)


class ConfirmRunScreen(ModalScreen[bool]):
    """Dismissed with True (run, and trust this file's current content) or False."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Run"),
        Binding("n", "answer(False)", "Don't run"),
        Binding("escape", "answer(False)", "Cancel", show=False),
    ]

    def __init__(self, card_file: Path, command: str) -> None:
        super().__init__()
        self.card_file = card_file
        self.command = command

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-run-dialog"):
            yield Label("Run a command from this card file?", id="confirm-run-title")
            yield Label(f"File: {self.card_file}", id="confirm-run-file", markup=False)
            yield Label("Command (runs in demo_project/):")
            yield Static(self.command.strip(), id="confirm-run-command", markup=False)
            yield Label("Your answer is remembered until this file changes.", id="confirm-run-note")
            with Horizontal(id="confirm-run-buttons"):
                yield Button("Run it (y)", id="confirm-run-yes", variant="warning")
                yield Button("Don't run (n)", id="confirm-run-no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#confirm-run-no", Button).focus()  # the safe answer is the default

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-run-yes")

    def action_answer(self, run: bool) -> None:
        self.dismiss(run)
