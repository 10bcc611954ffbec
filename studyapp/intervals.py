"""Short interval labels for rating buttons, in the style of Anki: <1m, 10m, 3h, 4d, 2.1mo, 1.5y."""

from __future__ import annotations

from datetime import timedelta

_MINUTE = 60
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_MONTH = 30 * _DAY
_YEAR = 365 * _DAY


def format_interval(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    if seconds <= _MINUTE:
        return "<1m"
    if seconds < _HOUR:
        return f"{round(seconds / _MINUTE)}m"
    if seconds < _DAY:
        return _with_unit(seconds / _HOUR, "h")
    if seconds < _MONTH:
        return f"{round(seconds / _DAY)}d"
    if seconds < _YEAR:
        return _with_unit(seconds / _MONTH, "mo")
    return _with_unit(seconds / _YEAR, "y")


def _with_unit(value: float, unit: str) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text}{unit}"
