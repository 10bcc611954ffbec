"""A calendar heatmap: one cell per day, weeks as columns, shade by review count."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, timedelta
from typing import ClassVar

from rich.text import Text
from textual.widget import Widget

LEVELS = 5  # 0 = no reviews, 4 = busiest days
WEEKDAY_LABELS = ("Mon", "   ", "Wed", "   ", "Fri", "   ", "Sun")
CELL = "■ "


def intensity(count: int, busiest: int) -> int:
    """Level 0..4 of a day, relative to the busiest day shown."""
    if count <= 0 or busiest <= 0:
        return 0
    return max(1, min(LEVELS - 1, math.ceil((LEVELS - 1) * count / busiest)))


class Heatmap(Widget):
    """Reviews per day over the last `weeks` weeks, ending with the week of `today`."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"heatmap--level-{level}" for level in range(LEVELS)}

    DEFAULT_CSS = """
    Heatmap { height: auto; width: auto; }
    Heatmap > .heatmap--level-0 { color: $foreground 15%; }
    Heatmap > .heatmap--level-1 { color: $success 40%; }
    Heatmap > .heatmap--level-2 { color: $success 60%; }
    Heatmap > .heatmap--level-3 { color: $success 80%; }
    Heatmap > .heatmap--level-4 { color: $success; }
    """

    def __init__(
        self,
        reviews_per_day: Mapping[date, int],
        today: date,
        weeks: int = 16,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.reviews_per_day = dict(reviews_per_day)
        self.today = today
        self.weeks = weeks

    def render(self) -> Text:
        # Columns are Monday-based weeks; the last column holds today.
        first_monday = self.today - timedelta(days=self.today.weekday(), weeks=self.weeks - 1)
        busiest = max(self.reviews_per_day.values(), default=0)
        styles = [self.get_component_rich_style(f"heatmap--level-{n}") for n in range(LEVELS)]
        text = Text(no_wrap=True)
        for weekday, label in enumerate(WEEKDAY_LABELS):
            text.append(f"{label} ")
            for week in range(self.weeks):
                day = first_monday + timedelta(weeks=week, days=weekday)
                if day > self.today:
                    text.append("  ")
                    continue
                level = intensity(self.reviews_per_day.get(day, 0), busiest)
                text.append(CELL, style=styles[level])
            text.append("\n")
        text.append("    less ")
        for style in styles:
            text.append(CELL, style=style)
        text.append("more")
        return text
