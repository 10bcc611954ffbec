"""Browse: search cards by text, `tag:x` or `deck:x` (quotes group words); a card's history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Static

from deckgen.model import SourceLocation
from studyapp.browse import BrowseRow
from studyapp.study import Study
from studyapp.tui.widgets.rating_bar import RATING_NAMES

SEARCH_DELAY = 0.2  # seconds of typing pause before searching
MAX_ROWS = 500  # a table of thousands of rows is slow to build and no one scrolls it


def interval_text(interval: int) -> str:
    """A revlog interval (Anki's convention: days if positive, seconds if negative)."""
    if interval < 0:
        minutes = max(1, round(-interval / 60))
        return f"{minutes}m" if minutes < 60 else f"{minutes / 60:.1f}h"
    return f"{interval}d"


def due_text(due: datetime | None, tz: tzinfo, with_time: bool = True) -> str:
    if due is None:
        return "-"
    return due.astimezone(tz).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def shown_location(location: SourceLocation, roots: Sequence[Path]) -> str:
    """`cards/deck.md:12` rather than a long absolute path, when under a searched folder."""
    path = location.path.absolute()
    for root in roots:
        base = root.absolute().parent
        if path.is_relative_to(base):
            return f"{path.relative_to(base)}:{location.line}"
    return str(location)


class BrowseScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search", key_display="/"),
        Binding("down", "focus_results", "Results", show=False),
    ]

    def __init__(self, study: Study, query: str = "") -> None:
        super().__init__()
        self.study = study
        self.initial_query = query
        self.rows: dict[str, BrowseRow] = {}
        self._search_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            self.initial_query,
            placeholder='Search: words, "a phrase", tag:NAME, deck:NAME or deck:"Part of name"',
            id="search",
        )
        with Horizontal(id="browse-body"):
            results: DataTable[str | Text] = DataTable(id="results", cursor_type="row")
            yield results
            with Vertical(id="details"):
                yield Static(id="card-details")
                history: DataTable[str | Text] = DataTable(id="history", cursor_type="row")
                yield history
        yield Static(id="result-count")
        yield Footer()

    def on_mount(self) -> None:
        results = self.query_one("#results", DataTable)
        results.add_columns("Card", "State", "Due", "Reps", "Lapses")
        history = self.query_one("#history", DataTable)
        history.add_columns("When", "Grade", "Interval", "Kind")
        history.can_focus = False
        self.run_search(self.initial_query)

    @on(Input.Changed, "#search")
    def _query_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, lambda: self.run_search(event.value))

    @on(Input.Submitted, "#search")
    def _query_submitted(self, event: Input.Submitted) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self.run_search(event.value)
        self.query_one("#results", DataTable).focus()

    def run_search(self, query: str) -> None:
        found = self.study.browse(query)
        shown = found[:MAX_ROWS]
        self.rows = {row.card.id: row for row in shown}
        table = self.query_one("#results", DataTable)
        table.clear()
        tz = self.study.clock.local_tz()
        for row in shown:
            table.add_row(
                Text(row.card.title),
                row.state,
                due_text(row.due, tz, with_time=False),
                Text(str(row.reps), justify="right"),
                Text(str(row.lapses), justify="right"),
                key=row.card.id,
            )
        count = len(found)
        summary = f"{count} card{'s' if count != 1 else ''}" + (f" for {query!r}" if query else "")
        if count > len(shown):
            summary += f" (first {len(shown)} shown: narrow the search)"
        self.query_one("#result-count", Static).update(Text(summary))
        self.show_details(found[0] if found else None)

    @on(DataTable.RowHighlighted, "#results")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        self.show_details(self.rows.get(key) if key else None)

    def show_details(self, row: BrowseRow | None) -> None:
        details = self.query_one("#card-details", Static)
        history = self.query_one("#history", DataTable)
        history.clear()
        if row is None:
            details.update("")
            return
        card = row.card
        tz = self.study.clock.local_tz()
        where = shown_location(card.location, self.study.searched_paths)
        tags = " ".join(card.tags) or "-"
        details.update(
            Text.assemble(
                (card.title, "bold"),
                f"\n{card.deck}\n{card.id}\n{where}\n",
                f"tags: {tags}\nstate: {row.state}\nnext due: {due_text(row.due, tz)}",
            )
        )
        for entry in reversed(self.study.history(card.id)):
            history.add_row(
                due_text(entry.reviewed_at, tz),
                RATING_NAMES.get(int(entry.rating), str(entry.rating)),
                interval_text(entry.interval),
                entry.kind.name.lower(),
            )

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_results(self) -> None:
        self.query_one("#results", DataTable).focus()
