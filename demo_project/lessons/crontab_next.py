"""When do beat schedules fire? Celery's own schedule classes, asked at a fixed moment.

``python -m lessons.crontab_next seconds``      a plain number as a schedule
``python -m lessons.crontab_next monday``       crontab(hour=7, minute=30, day_of_week=1)
``python -m lessons.crontab_next three-hours``  crontab(minute=0, hour='*/3')
``python -m lessons.crontab_next first-of-month``  crontab(minute=0, hour=0, day_of_month='1')
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from celery.schedules import BaseSchedule, crontab, schedule

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday, 12:00 UTC


def _fixed_now() -> datetime:
    return NOW


def _show(label: str, entry: BaseSchedule, when: str = "%A %H:%M") -> None:
    next_run = NOW + entry.remaining_estimate(NOW)
    print(f"asked on {NOW.strftime(when)} (last run: just now)")
    print(f"{label}: {entry!r}, next run {next_run.strftime(when)}")


def seconds() -> None:
    _show("15 * 60 (a number)", schedule(15 * 60, nowfun=_fixed_now))


def monday() -> None:
    _show(
        "crontab(hour=7, minute=30, day_of_week=1)",
        crontab(hour=7, minute=30, day_of_week=1, nowfun=_fixed_now),
    )


def three_hours() -> None:
    entry = crontab(minute=0, hour="*/3", nowfun=_fixed_now)
    _show("crontab(minute=0, hour='*/3')", entry)
    print(f"hour='*/3' expands to the hours {sorted(entry.hour)}")
    print(f"minute=0 expands to the minutes {sorted(entry.minute)}")


def first_of_month() -> None:
    entry = crontab(minute=0, hour=0, day_of_month="1", nowfun=_fixed_now)
    _show("crontab(minute=0, hour=0, day_of_month='1')", entry, "%a %Y-%m-%d %H:%M")
    print(f"day_of_month='1' expands to the days {sorted(entry.day_of_month)}")


COMMANDS = {
    "seconds": seconds,
    "monday": monday,
    "three-hours": three_hours,
    "first-of-month": first_of_month,
}

if __name__ == "__main__":
    if sys.argv[1:] not in [[command] for command in COMMANDS]:
        sys.exit(f"usage: python -m lessons.crontab_next {{{','.join(COMMANDS)}}}")
    COMMANDS[sys.argv[1]]()
