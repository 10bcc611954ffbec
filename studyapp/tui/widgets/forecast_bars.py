"""A small vertical bar chart of how many cards fall due on each of the coming days."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget

EIGHTHS = " ▁▂▃▄▅▆▇█"


def bar_cells(value: int, peak: int, rows: int) -> list[str]:
    """The cells of one bar, top row first, in eighths of a row."""
    eighths = round(value * rows * 8 / peak) if peak > 0 else 0
    if value > 0:
        eighths = max(eighths, 1)  # a day with any card due stays visible
    cells = []
    for row in range(rows - 1, -1, -1):
        filled = min(8, max(0, eighths - row * 8))
        cells.append(EIGHTHS[filled])
    return cells


class ForecastBars(Widget):
    """One bar per day, today on the left; the peak value labels the top row."""

    DEFAULT_CSS = """
    ForecastBars { height: auto; width: auto; color: $accent; }
    """

    def __init__(self, counts: Sequence[int], rows: int = 6, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.counts = list(counts)
        self.rows = rows

    def render(self) -> Text:
        peak = max(self.counts, default=0)
        columns = [bar_cells(count, peak, self.rows) for count in self.counts]
        gutter = max(len(str(peak)), 1)
        text = Text(no_wrap=True)
        for row in range(self.rows):
            label = str(peak) if row == 0 else ("0" if row == self.rows - 1 else "")
            text.append(f"{label:>{gutter}} │")
            text.append(" ".join(column[row] for column in columns))
            text.append("\n")
        text.append(" " * gutter + " └" + "─" * max(0, 2 * len(self.counts) - 1) + "\n")
        last = f"+{len(self.counts) - 1}d"
        span = max(0, 2 * len(self.counts) - 1 - len("today") - len(last))
        text.append(" " * (gutter + 2) + "today" + " " * span + last)
        return text
