"""Anki's day numbers against the terminal's datetimes.

Anki keeps a review card's due date as a day number (days since the collection was created,
with days starting at its rollover hour) and an intraday learning card's as epoch seconds.
The terminal keeps datetimes; a due day becomes the start of that study day, local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

EPOCH_SECONDS_FROM = 1_000_000_000  # a learning card's `due` above this is a timestamp


@dataclass(frozen=True)
class AnkiDays:
    today: int  # Anki's number for the current day
    today_date: date  # the local date of that day
    rollover_hour: int
    tz: tzinfo
    next_cutoff: datetime  # when Anki's next day starts

    @classmethod
    def of(cls, col: Any, now: datetime, tz: tzinfo) -> AnkiDays:
        rollover = int(col.get_preferences().scheduling.rollover)
        local = now.astimezone(tz) - timedelta(hours=rollover)
        cutoff = datetime.fromtimestamp(col.sched.day_cutoff, tz=UTC)
        return cls(col.sched.today, local.date(), rollover, tz, cutoff)

    def day_number(self, moment: datetime) -> int:
        local = moment.astimezone(self.tz) - timedelta(hours=self.rollover_hour)
        return self.today + (local.date() - self.today_date).days

    def day_start(self, number: int) -> datetime:
        day = self.today_date + timedelta(days=number - self.today)
        return datetime.combine(day, time(self.rollover_hour), tzinfo=self.tz).astimezone(UTC)

    def due_moment(self, due: int) -> datetime:
        """A learning or review card's `due` as a datetime."""
        if due > EPOCH_SECONDS_FROM:
            return datetime.fromtimestamp(due, tz=UTC)
        return self.day_start(due)
