"""Time sources: the real clock, a manual one tests can move by hand, and the real clock
shifted by whole days (STUDYAPP_DAYS_AHEAD) to see the next study day without waiting.

All times handed around are timezone-aware UTC; `local_tz()` is the zone that decides where a
study day starts, so tests can pin it instead of depending on the machine's TZ.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
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


DAYS_AHEAD_VARIABLE = "STUDYAPP_DAYS_AHEAD"


class ClockSettingError(ValueError):
    """A bad STUDYAPP_DAYS_AHEAD; the message is one line naming it."""


class ShiftedClock:
    """Another clock moved ahead by whole days: tomorrow's study day, today (for trying the
    app and for demos; reviews are saved with the shifted time)."""

    def __init__(self, base: Clock, days: int) -> None:
        self.base = base
        self.days = days

    def now(self) -> datetime:
        return self.base.now() + timedelta(days=self.days)

    def local_tz(self) -> tzinfo:
        return self.base.local_tz()


def clock_from_environment(environ: Mapping[str, str], base: Clock | None = None) -> Clock:
    """The real clock, or with STUDYAPP_DAYS_AHEAD=N set, the real clock N days ahead."""
    base = base if base is not None else SystemClock()
    raw = environ.get(DAYS_AHEAD_VARIABLE, "").strip()
    if not raw:
        return base
    try:
        days = int(raw)
    except ValueError:
        raise ClockSettingError(
            f"{DAYS_AHEAD_VARIABLE}={raw!r}: must be a whole number of days (1 = tomorrow)"
        ) from None
    if days < 0:
        raise ClockSettingError(f"{DAYS_AHEAD_VARIABLE}={raw!r}: must not be negative")
    return base if days == 0 else ShiftedClock(base, days)
