"""Card info (`i` in review and browse), as Anki's: dates, memory state, the review list."""

from __future__ import annotations

from datetime import tzinfo
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from studyapp.card_info import CardInfo
from studyapp.study import Study
from studyapp.tui.formatting import due_text, interval_text
from studyapp.tui.styles_dir import screen_sheet
from studyapp.tui.widgets.rating_bar import RATING_NAMES


def interval_days_text(days: float | None) -> str:
    if days is None:
        return "-"
    if days < 1:
        minutes = round(days * 24 * 60)
        return f"{minutes} min" if minutes < 60 else f"{days * 24:.1f} h"
    return f"{days:.0f} day{'' if round(days) == 1 else 's'}"


def info_table(info: CardInfo, tz: tzinfo) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    number = "-" if info.stability is None else f"{info.stability:.2f} days"
    rows: list[tuple[str, str | Text]] = [
        ("Card", Text(f"{info.card.title}  ({info.card.id})")),
        ("Deck", Text(info.card.deck)),
        ("State", info.state),
        ("Added", due_text(info.added, tz)),
        ("First review", due_text(info.first_review, tz)),
        ("Latest review", due_text(info.latest_review, tz)),
        ("Due", due_text(info.due, tz)),
        ("Interval", interval_days_text(info.interval_days)),
        ("Stability", number),
        ("Difficulty", "-" if info.difficulty is None else f"{info.difficulty:.2f} / 10"),
        (
            "Retrievability",
            "-" if info.retrievability is None else f"{info.retrievability:.0%} now",
        ),
        ("Reviews", str(info.reviews)),
        ("Lapses", str(info.lapses)),
    ]
    for label, value in rows:
        table.add_row(label, value)
    return table


class CardInfoScreen(ModalScreen[None]):
    CSS_PATH = screen_sheet("card_info.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("i", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, study: Study, card_id: str) -> None:
        super().__init__()
        self.study = study
        self.card_id = card_id

    def compose(self) -> ComposeResult:
        info = self.study.card_info(self.card_id)
        tz = self.study.clock.local_tz()
        with Vertical(id="card-info-box") as box:
            box.border_title = "Card info"
            box.border_subtitle = "Escape closes"
            if info is None:
                yield Static("This card is no longer in the card files.")
                return
            yield Static(info_table(info, tz), id="card-info")
            reviews: DataTable[str] = DataTable(id="card-info-reviews", cursor_type="row")
            reviews.add_columns("Reviewed", "Grade", "Interval", "Kind", "Time")
            for entry in reversed(info.history):
                reviews.add_row(
                    due_text(entry.reviewed_at, tz),
                    RATING_NAMES.get(entry.rating, str(entry.rating)),
                    interval_text(entry.interval),
                    entry.kind.name.lower(),
                    f"{entry.duration_ms / 1000:.0f} s",
                )
            yield reviews
