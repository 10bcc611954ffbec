"""Snapshot of the confirmation dialog: the file and the exact command, nothing run yet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Label

from studyapp.tui.screens.confirm_run import ConfirmRunScreen

STYLES = Path(__file__).resolve().parents[2] / "studyapp" / "tui" / "styles" / "runner.tcss"
COMMAND = "celery -A config.celery_app inspect active -t 0.5 | grep -c ok"


class ConfirmApp(App[None]):
    CSS_PATH = STYLES

    def compose(self) -> ComposeResult:
        yield Label("the review screen would be here")

    def on_mount(self) -> None:
        self.push_screen(ConfirmRunScreen(Path("cards/Celery/monitoring.md"), COMMAND))


def test_confirm_run_dialog(snap_compare: Callable[..., bool]) -> None:
    assert snap_compare(ConfirmApp(), terminal_size=(90, 24))
