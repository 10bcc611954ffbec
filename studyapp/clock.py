"""Time sources: the real clock, and a manual one tests can move by hand.

All times handed around are timezone-aware UTC; `local_tz()` is the zone that decides where a
study day starts, so tests can pin it instead of depending on the machine's TZ.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...

    def local_tz(self) -> tzinfo:
        """The user's local time zone (study days start at a local hour)."""
        ...


@cache
def _etc_localtime_name() -> str:
    """The zone /etc/localtime links to; read once (it is asked at every grade)."""
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:
        target = ""
    return target.split("/zoneinfo/", 1)[1] if "/zoneinfo/" in target else ""


def system_local_tz() -> tzinfo:
    """The named local zone when it can be found (right across DST changes), else the offset."""
    name = os.environ.get("TZ", "").removeprefix(":") or _etc_localtime_name()
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    tz = datetime.now().astimezone().tzinfo
    return tz if tz is not None else UTC


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def local_tz(self) -> tzinfo:
        return system_local_tz()


class ManualClock:
    """A clock that only moves when told to; `tz` defaults to UTC for reproducible tests."""

    def __init__(self, start: datetime, tz: tzinfo | None = None) -> None:
        self._now = _as_utc(start)
        self._tz = tz if tz is not None else UTC

    def now(self) -> datetime:
        return self._now

    def local_tz(self) -> tzinfo:
        return self._tz

    def advance(self, delta: timedelta) -> datetime:
        self._now = self._now + delta
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = _as_utc(moment)


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("ManualClock needs a timezone-aware datetime")
    return moment.astimezone(UTC)
