"""Browse: search cards (words, `tag:`, `deck:`, `is:`), act on them, see a card and its history.

In the results: `s` suspends or brings back, `f` forgets (new again, log kept), `b` unburies,
`i` card info, Enter shows the card's front and back with its history (beside the results on
a wide terminal, instead of them on a narrow one).
"""

from __future__ import annotations

from collections.abc import Sequence
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

from deckgen.cardformat.card_types import answer_markdown, question_markdown
from deckgen.cardformat.model import SourceLocation
from studyapp.browse import BrowseRow
from studyapp.store import StoreError
from studyapp.study import Study
from studyapp.tui.formatting import due_text, interval_text
from studyapp.tui.styles_dir import screen_sheet
from studyapp.tui.widgets.rating_bar import RATING_NAMES

SEARCH_DELAY = 0.2  # seconds of typing pause before searching
MAX_ROWS = 500  # a table of thousands of rows is slow to build and no one scrolls it
NARROW = 110  # below this many columns the details pane replaces the results (Enter)
SIDE_TEXT_LINES = 6  # lines of a card's front and back in the details pane


def shown_location(location: SourceLocation, roots: Sequence[Path]) -> str:
    """`cards/deck.md:12` rather than a long absolute path, when under a searched folder."""
    path = location.path.absolute()
    for root in roots:
        base = root.absolute().parent
        if path.is_relative_to(base):
            return f"{path.relative_to(base)}:{location.line}"
    return str(location)


def row_state(row: BrowseRow) -> str:
    return "buried" if row.buried else row.state


def side_text(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if len(lines) > SIDE_TEXT_LINES:
        lines = [*lines[:SIDE_TEXT_LINES], "…"]
    return "\n".join(lines)


class BrowseScreen(Screen[None]):
    CSS_PATH = screen_sheet("browse.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search", key_display="/"),
        Binding("down", "focus_results", "Results", show=False),
        Binding("enter", "toggle_details", "Details", show=False),
        Binding("escape", "close_details", "Results", show=False),
        Binding("s", "toggle_suspend", "Suspend"),
        Binding("f", "forget", "Forget"),
        Binding("b", "unbury", "Unbury"),
        Binding("i", "card_info", "Info"),
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
        # The title takes what the other columns leave, so State and Due always show.
        width = self.app.size.width
        shown = width if width < NARROW else width * 3 // 5
        results.add_column("Card", width=max(12, shown - 46))
        results.add_columns("State", "Due", "Reps", "Lapses")
        history = self.query_one("#history", DataTable)
        history.add_columns("When", "Grade", "Interval", "Kind")
        history.can_focus = False
        self.set_class(self.size.width < NARROW, "-narrow")
        self.run_search(self.initial_query)

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "-narrow")

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

    def run_search(self, query: str, keep: str | None = None) -> None:
        """Fill the results for `query`; `keep`: the card whose row stays highlighted."""
        found = self.study.browse(query)
        shown = found[:MAX_ROWS]
        self.rows = {row.card.id: row for row in shown}
        table = self.query_one("#results", DataTable)
        table.clear()
        tz = self.study.clock.local_tz()
        for row in shown:
            table.add_row(
                Text(row.card.title, overflow="ellipsis", no_wrap=True),
                row_state(row),
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
        if keep is not None and keep in self.rows:
            table.move_cursor(row=table.get_row_index(keep))
            self.show_details(self.rows[keep])
        else:
            self.show_details(found[0] if found else None)

    @on(DataTable.RowSelected, "#results")
    def _row_selected(self) -> None:
        self.action_toggle_details()

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
        state = self.study.state(card.id)
        extra = " ".join(state.extra_tags)
        details.update(
            Text.assemble(
                (card.title, "bold"),
                f"\n{card.deck}\n{card.id}  {where}\n",
                f"tags: {tags}{' ' + extra if extra else ''}\n",
                f"state: {row_state(row)}   due: {due_text(row.due, tz)}\n\n",
                ("Front\n", "bold underline"),
                side_text(question_markdown(card)),
                ("\n\nBack\n", "bold underline"),
                side_text(answer_markdown(card)),
            )
        )
        for entry in reversed(self.study.history(card.id)):
            history.add_row(
                due_text(entry.reviewed_at, tz),
                RATING_NAMES.get(int(entry.rating), str(entry.rating)),
                interval_text(entry.interval),
                entry.kind.name.lower(),
            )

    # --- actions on the highlighted card ------------------------------------------------------

    def highlighted(self) -> BrowseRow | None:
        table = self.query_one("#results", DataTable)
        if not self.rows or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(key) if key else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle_suspend", "forget", "unbury", "card_info", "toggle_details"):
            # Keys typed in the search box are text, not actions.
            return not isinstance(self.focused, Input) and bool(self.rows)
        if action == "close_details":
            return self.has_class("-details")
        return True

    def _act(self, change: str) -> None:
        row = self.highlighted()
        if row is None:
            return
        card_id = row.card.id
        try:
            if change == "suspend":
                suspended = self.study.toggle_suspend(card_id)
                message = "Suspended" if suspended else "No longer suspended"
            elif change == "forget":
                self.study.forget(card_id)
                message = "Forgotten (new again; its history is kept)"
            else:
                self.study.unbury(card_id)
                message = "Unburied"
        except StoreError as exc:
            self.notify(str(exc), title="Not changed", severity="error", markup=False)
            return
        self.notify(f"{message}: {row.card.title}", markup=False)
        self.run_search(self.query_one("#search", Input).value, keep=card_id)

    def action_toggle_suspend(self) -> None:
        self._act("suspend")

    def action_forget(self) -> None:
        self._act("forget")

    def action_unbury(self) -> None:
        self._act("unbury")

    def action_card_info(self) -> None:
        from studyapp.tui.screens.card_info import CardInfoScreen

        row = self.highlighted()
        if row is not None:
            self.app.push_screen(CardInfoScreen(self.study, row.card.id))

    def action_toggle_details(self) -> None:
        self.toggle_class("-details")
        self.refresh_bindings()

    def action_close_details(self) -> None:
        self.remove_class("-details")
        self.refresh_bindings()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_results(self) -> None:
        self.query_one("#results", DataTable).focus()
