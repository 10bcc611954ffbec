"""End of a review session: how many cards, how they went, how long, when the next is due."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from studyapp.intervals import format_interval
from studyapp.session import SessionSummary
from studyapp.tui.styles_dir import screen_sheet


def duration_text(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def headline(summary: SessionSummary) -> str:
    if not summary.reviewed:
        return "Nothing to review now"
    return f"{summary.reviewed} card{'' if summary.reviewed == 1 else 's'} reviewed"


def next_due_text(next_due: datetime | None, now: datetime, tz: tzinfo) -> str:
    if next_due is None:
        return "no card scheduled"
    if next_due <= now:
        return "now"
    when = next_due.astimezone(tz).strftime("%a %d %b %H:%M")
    return f"in {format_interval(next_due - now)} ({when})"


def summary_table(summary: SessionSummary, now: datetime, tz: tzinfo) -> Table:
    table = Table.grid(padding=(0, 3))
    table.add_column(justify="left")
    table.add_column(justify="right")
    table.add_row("Time spent", duration_text(summary.seconds))
    if summary.reviewed:
        table.add_row("Per card", duration_text(summary.seconds / summary.reviewed))
    table.add_row("[red]Again[/red]", str(summary.again))
    table.add_row("[yellow]Hard[/yellow]", str(summary.hard))
    table.add_row("[green]Good[/green]", str(summary.good))
    table.add_row("[blue]Easy[/blue]", str(summary.easy))
    table.add_row("Next card due", next_due_text(summary.next_due, now, tz))
    return table


class SummaryScreen(Screen[None]):
    CSS_PATH = screen_sheet("summary.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "app.back", "Deck list"),
        Binding("t", "app.show_stats", "Stats"),
    ]

    def __init__(self, summary: SessionSummary, now: datetime, tz: tzinfo) -> None:
        super().__init__()
        self.summary = summary
        self.now = now
        self.tz = tz

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(), Vertical(id="summary-box"):
            yield Static(Text(headline(self.summary)), id="summary-title")
            yield Static(summary_table(self.summary, self.now, self.tz), id="summary-table")
            yield Static("Enter or Escape: deck list   t: stats", id="summary-hint")
        yield Footer()
