"""End of a review session: how many cards, how they went, how long it took."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from studyapp.session import SessionSummary


def duration_text(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def summary_table(summary: SessionSummary) -> Table:
    table = Table.grid(padding=(0, 3))
    table.add_column(justify="left")
    table.add_column(justify="right")
    table.add_row("Cards reviewed", f"[b]{summary.reviewed}[/b]")
    table.add_row("[red]Again[/red]", str(summary.again))
    table.add_row("[yellow]Hard[/yellow]", str(summary.hard))
    table.add_row("[green]Good[/green]", str(summary.good))
    table.add_row("[blue]Easy[/blue]", str(summary.easy))
    table.add_row("Time", duration_text(summary.seconds))
    if summary.reviewed:
        table.add_row("Per card", duration_text(summary.seconds / summary.reviewed))
    return table


class SummaryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "app.back", "Deck list"),
        Binding("t", "app.show_stats", "Stats"),
    ]

    def __init__(self, summary: SessionSummary) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(), Vertical(id="summary-box"):
            headline = "Session finished" if self.summary.reviewed else "Nothing to review now"
            yield Static(headline, id="summary-title")
            yield Static(summary_table(self.summary), id="summary-table")
            yield Static("Enter or Escape: back to the deck list", id="summary-hint")
        yield Footer()
