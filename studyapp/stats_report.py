"""Plain-text rendering of `Stats` for `studyapp stats`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from studyapp.stats import Stats


def format_stats(stats: Stats) -> str:
    days = list(stats.reviews_per_day.items())
    today_count = days[-1][1] if days else 0
    week = sum(count for _, count in days[-7:])
    total = sum(count for _, count in days)
    weeks = len(days) // 7
    states = ", ".join(f"{count} {name}" for name, count in stats.by_state.items())
    retention = (
        "no reviews in the last 30 days"
        if stats.true_retention is None
        else f"{stats.true_retention:.1%}"
    )
    lines = [
        f"Cards: {sum(stats.by_state.values())} ({states})",
        f"Reviews: {today_count} today, {week} in the last 7 days, "
        f"{total} in the last {weeks} weeks",
        f"True retention (reviews, last 30 days): {retention}",
        f"Due in the next {len(stats.forecast)} days: {sum(stats.forecast)} "
        f"(today {stats.forecast[0] if stats.forecast else 0})",
        "Forecast: " + " ".join(str(count) for count in stats.forecast),
    ]
    if days:
        first = days[0][0]
        lines.append(f"Busiest day since {first.isoformat()}: {_busiest(days)}")
    return "\n".join(lines)


def _busiest(days: Sequence[tuple[date, int]]) -> str:
    day, count = max(days, key=lambda item: item[1])
    return f"{day} ({count} reviews)" if count else "none yet"


__all__ = ["format_stats"]
