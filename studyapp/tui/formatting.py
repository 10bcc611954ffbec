"""Times and review-log intervals as the screens show them (browse, card info)."""

from __future__ import annotations

from datetime import datetime, tzinfo


def interval_text(interval: int) -> str:
    """A revlog interval (Anki's convention: days if positive, seconds if negative)."""
    if interval < 0:
        minutes = max(1, round(-interval / 60))
        return f"{minutes}m" if minutes < 60 else f"{minutes / 60:.1f}h"
    return f"{interval}d"


def due_text(due: datetime | None, tz: tzinfo, with_time: bool = True) -> str:
    """A moment in the local zone, `-` when there is none."""
    if due is None:
        return "-"
    return due.astimezone(tz).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
