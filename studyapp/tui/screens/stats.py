"""Stats: reviews per day (heatmap), the coming 30 days' due forecast, retention, states."""

from __future__ import annotations

from datetime import date

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from studyapp.stats import RETENTION_DAYS, PassRate, Stats, StatsInput, compute_stats
from studyapp.store import Store, StoreError
from studyapp.study import Study
from studyapp.tui.styles_dir import screen_sheet
from studyapp.tui.widgets.forecast_bars import ForecastBars
from studyapp.tui.widgets.heatmap import Heatmap

HEATMAP_WEEKS = 26
STATE_ORDER = ("new", "learning", "review", "relearning", "suspended")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def retention_text(answers: PassRate) -> str:
    if not answers.answered:
        return f"none yet: no review card answered in the last {RETENTION_DAYS} days"
    return answers.describe()


def states_table(by_state: dict[str, int]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column()
    table.add_column(justify="right")
    names = [name for name in STATE_ORDER if name in by_state]
    names += sorted(name for name in by_state if name not in STATE_ORDER)
    for name in names:
        table.add_row(name.capitalize(), str(by_state[name]))
    table.add_row("[b]Total[/b]", f"[b]{sum(by_state.values())}[/b]")
    return table


class StatsScreen(Screen[None]):
    """Computed in a thread with its own database connection (100,000 reviews take a few
    tenths of a second); "Computing…" shows meanwhile and the keys keep working."""

    CSS_PATH = screen_sheet("stats.tcss")

    def __init__(self, study: Study) -> None:
        super().__init__()
        self.study = study

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="stats-body"):
            yield Static("Computing statistics…", id="stats-loading", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.compute(self.study.stats_input(weeks=HEATMAP_WEEKS))

    @work(thread=True, exclusive=True)
    def compute(self, given: StatsInput) -> None:
        try:
            store = Store.open(self.study.data_dir)
            try:
                stats = compute_stats(given, store.reviews_since(given.reviews_from))
            finally:
                store.close()
        except StoreError as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._show, stats, given.today)

    def _failed(self, exc: StoreError) -> None:
        self.query_one("#stats-loading", Static).update(Text(f"No statistics: {exc}"))

    def _show(self, stats: Stats, today: date) -> None:
        body = self.query_one("#stats-body", VerticalScroll)
        self.query_one("#stats-loading").remove()
        total = sum(stats.reviews_per_day.values())
        active_days = sum(1 for count in stats.reviews_per_day.values() if count)
        heatmap = Vertical(
            Heatmap(stats.reviews_per_day, today, HEATMAP_WEEKS, id="heatmap"),
            Static(
                f"{plural(total, 'review')} on {plural(active_days, 'day')}", id="heatmap-total"
            ),
            id="heatmap-box",
            classes="stats-box",
        )
        heatmap.border_title = f"Reviews per day, last {HEATMAP_WEEKS} weeks"
        forecast = Vertical(
            ForecastBars(stats.forecast, id="forecast"),
            Static(f"{plural(sum(stats.forecast), 'review')} due", id="forecast-total"),
            id="forecast-box",
            classes="stats-box",
        )
        forecast.border_title = f"Due in the next {len(stats.forecast)} days"
        retention = Vertical(
            Static(retention_text(stats.review_answers), id="retention"),
            Static("review cards only: answers not Again, as Anki counts it", classes="hint"),
            Static(f"Learning cards: {stats.learning_answers.describe()}", id="learning-answers"),
            id="retention-box",
            classes="stats-box",
        )
        retention.border_title = f"True retention, last {RETENTION_DAYS} days"
        states = Vertical(
            Static(states_table(stats.by_state), id="states"),
            id="states-box",
            classes="stats-box",
        )
        states.border_title = "Cards by state"
        boxes = [heatmap, forecast, Horizontal(retention, states, id="stats-row")]
        if stats.memory_states is not None:
            memory = Vertical(
                Static(stats.memory_states.describe(), id="memory-states"),
                id="memory-box",
                classes="stats-box",
            )
            memory.border_title = "FSRS memory states"
            boxes.append(memory)
        body.mount_all(boxes)
