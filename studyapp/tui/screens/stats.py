"""Stats: reviews per day (heatmap), the coming 30 days' due forecast, retention, states."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from studyapp.stats import Stats
from studyapp.study import Study
from studyapp.tui.widgets.forecast_bars import ForecastBars
from studyapp.tui.widgets.heatmap import Heatmap

HEATMAP_WEEKS = 26
STATE_ORDER = ("new", "learning", "review", "relearning", "suspended")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def retention_text(retention: float | None) -> str:
    return "no review answers in the last 30 days" if retention is None else f"{retention:.1%}"


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
    def __init__(self, study: Study) -> None:
        super().__init__()
        self.study = study

    def compose(self) -> ComposeResult:
        stats: Stats = self.study.stats(weeks=HEATMAP_WEEKS)
        today = self.study.today()
        total = sum(stats.reviews_per_day.values())
        active_days = sum(1 for count in stats.reviews_per_day.values() if count)
        yield Header()
        with VerticalScroll(id="stats-body"):
            with Vertical(id="heatmap-box", classes="stats-box") as box:
                box.border_title = f"Reviews per day, last {HEATMAP_WEEKS} weeks"
                yield Heatmap(stats.reviews_per_day, today, HEATMAP_WEEKS, id="heatmap")
                yield Static(
                    f"{plural(total, 'review')} on {plural(active_days, 'day')}",
                    id="heatmap-total",
                )
            with Vertical(id="forecast-box", classes="stats-box") as box:
                box.border_title = f"Due in the next {len(stats.forecast)} days"
                yield ForecastBars(stats.forecast, id="forecast")
                yield Static(f"{plural(sum(stats.forecast), 'review')} due", id="forecast-total")
            with Horizontal(id="stats-row"):
                with Vertical(id="retention-box", classes="stats-box") as box:
                    box.border_title = "True retention"
                    yield Static(retention_text(stats.true_retention), id="retention")
                    yield Static("share of reviews (not learning) passed", classes="hint")
                with Vertical(id="states-box", classes="stats-box") as box:
                    box.border_title = "Cards by state"
                    yield Static(states_table(stats.by_state), id="states")
        yield Footer()
