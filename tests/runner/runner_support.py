"""Helpers for the runner tests: temp card files, a small Textual app around RunPanel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType

from deckgen.cardformat.load import load
from deckgen.cardformat.model import Card
from studyapp.runner.services import ServiceManager
from studyapp.runner.trust import TrustStore
from studyapp.tui.screens.confirm_run import ask_to_run
from studyapp.tui.widgets.run_panel import RunPanel

STYLES = Path(__file__).resolve().parents[2] / "studyapp" / "tui" / "styles" / "runner.tcss"


def card_markdown(
    card_id: str,
    command: str,
    expect: str | None = None,
    service: bool = False,
    timeout: float | None = None,
    tags: str = "",
) -> str:
    fenced = "\n" in command
    run = f"**Run:**\n```bash\n{command}\n```" if fenced else f"**Run:** `{command}`"
    lines = [f"## {card_id}", f"**ID:** {card_id}", "**Front:** q", "**Back:** a", run]
    if expect is not None:
        lines.append(f"**Expect:**\n```\n{expect}\n```")
    if service:
        lines.append("**Service:** yes")
    if timeout is not None:
        lines.append(f"**Timeout:** {timeout}")
    if tags:
        lines.append(f"**Tags:** {tags}")
    return "\n".join(lines) + "\n"


def write_deck(path: Path, *cards: str) -> Path:
    path.write_text("# Runner tests\n\n" + "\n".join(cards), encoding="utf-8")
    return path


def cards_by_id(path: Path) -> dict[str, Card]:
    result = load([path])
    assert result.ok, [str(e) for e in result.errors]
    return {card.id: card for card in result.cards}


MakeCard = Callable[..., Card]


class RunnerApp(App[None]):
    """The RunPanel alone, with the review screen's keys: r runs, x stops."""

    CSS_PATH = STYLES
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "run", "Run"),
        Binding("x", "stop", "Stop"),
    ]

    def __init__(self, card: Card, trust: TrustStore, services: ServiceManager) -> None:
        super().__init__()
        self.card = card
        self.trust = trust
        self.services = services
        self.finished: list[RunPanel.Finished] = []
        self.blocked: list[RunPanel.Blocked] = []

    def compose(self) -> ComposeResult:
        panel = RunPanel(self.trust, self.services, id="panel")
        panel.card = self.card
        yield panel

    @property
    def panel(self) -> RunPanel:
        return self.query_one(RunPanel)

    def action_run(self) -> None:
        self.panel.request_run()

    async def action_stop(self) -> None:
        await self.panel.stop()

    def on_run_panel_finished(self, message: RunPanel.Finished) -> None:
        self.finished.append(message)

    def on_run_panel_blocked(self, message: RunPanel.Blocked) -> None:
        self.blocked.append(message)

    def on_run_panel_confirmation_needed(self, request: RunPanel.ConfirmationNeeded) -> None:
        ask_to_run(self, request)  # as the review screen does

    async def on_unmount(self) -> None:
        await self.services.stop_all()
