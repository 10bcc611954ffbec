"""The first screen: decks with their new / learning / due counts, and any card problems."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from studyapp.session import ReviewSession
from studyapp.settings import SettingsError
from studyapp.study import Study
from studyapp.tui.screens.review import ReviewScreen
from studyapp.tui.widgets.problems import ProblemsPanel

ALL_DECKS_KEY = ""  # row key of the "All decks" row (review everything)


class DeckListScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "review", "Review", priority=True),
        Binding("t", "app.show_stats", "Stats"),
        Binding("slash", "app.show_browse", "Browse", key_display="/"),
        Binding("comma", "app.show_settings", "Settings", key_display=","),
        Binding("ctrl+r", "reload", "Reload cards"),
    ]

    def __init__(self, study: Study) -> None:
        super().__init__()
        self.study = study
        # False once another screen covers this one; the counts are then recounted on resume.
        self._counts_current = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="decks-body"):
            yield Static(id="empty-message")
            table: DataTable[str | Text] = DataTable(
                id="decks", cursor_type="row", zebra_stripes=True
            )
            yield table
            yield ProblemsPanel(self.study.errors, id="problems")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#decks", DataTable)
        table.add_column("Deck", key="deck")
        table.add_column(Text("New", justify="right"), key="new")
        table.add_column(Text("Learn", justify="right"), key="learning")
        table.add_column(Text("Due", justify="right"), key="due")
        self.refresh_decks()

    def on_screen_resume(self) -> None:
        # Counts change after a review, a reload or new settings; the first resume follows
        # on_mount's count at once, so counting again there would only delay start-up.
        try:  # a sync run elsewhere may have changed them
            followed = self.study.follow_settings_file()
        except SettingsError as exc:  # the app goes on with the values it has
            self.notify(str(exc), title="Settings not read", severity="warning", markup=False)
            followed = False
        if self.is_mounted and (followed or not self._counts_current):
            self.refresh_decks()

    def on_screen_suspend(self) -> None:
        self._counts_current = False

    def refresh_decks(self) -> None:
        table = self.query_one("#decks", DataTable)
        previous = table.cursor_row
        table.clear()
        totals, rows = self.study.deck_overview()
        empty = self.query_one("#empty-message", Static)
        empty.display = not self.study.cards
        table.display = bool(self.study.cards)
        if not self.study.cards:
            where = ", ".join(str(path) for path in self.study.searched_paths) or "(no paths)"
            empty.update(
                Text(
                    f"No cards found. Looked in: {where}\n\n"
                    "Write cards as Markdown (see README) or pass their folder: studyapp PATH"
                )
            )
        else:
            # The whole collection's counts, capped once (summing the top-level decks would
            # overcount when each is capped by the daily limits on its own).
            table.add_row(Text("All decks", style="bold"), *_counts(*totals), key=ALL_DECKS_KEY)
            for row in rows:
                label = Text("  " * (row.depth + 1) + row.label)
                table.add_row(label, *_counts(row.new, row.learning, row.due), key=row.name)
            table.move_cursor(row=min(max(previous, 0), table.row_count - 1))
        self.query_one("#problems", ProblemsPanel).set_problems(self.study.errors)
        self._counts_current = True

    def selected_deck(self) -> str | None:
        table = self.query_one("#decks", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return key or None

    def action_review(self) -> None:
        if not self.study.cards:
            self.notify("No cards to review.", severity="warning")
            return
        session = ReviewSession(self.study, self.selected_deck())
        self.app.push_screen(ReviewScreen(self.study, session))

    @on(DataTable.RowSelected, "#decks")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_review()

    def action_reload(self) -> None:
        self.study.reload()
        self.refresh_decks()
        self.notify(f"Reloaded {len(self.study.cards)} cards.")


def _counts(new: int, learning: int, due: int) -> list[Text]:
    styles = ("bold blue", "bold red", "bold green")
    return [
        Text(str(value), style=style if value else "dim", justify="right")
        for value, style in zip((new, learning, due), styles, strict=True)
    ]
