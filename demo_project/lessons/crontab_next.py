"""When do beat schedules fire? Celery's own schedule classes, asked at a fixed moment."""

from __future__ import annotations

from datetime import UTC, datetime

from celery.schedules import crontab, schedule

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday, 12:00 UTC


def _fixed_now() -> datetime:
    return NOW


def main() -> None:
    print(f"asked on {NOW:%A %Y-%m-%d %H:%M} (last run: just now)")
    entries = {
        "crontab(hour=7, minute=30, day_of_week=1)": crontab(
            hour=7, minute=30, day_of_week=1, nowfun=_fixed_now
        ),
        "crontab(minute=0, hour='*/3')": crontab(minute=0, hour="*/3", nowfun=_fixed_now),
        "15 * 60 (a number: seconds)": schedule(15 * 60, nowfun=_fixed_now),
    }
    for label, entry in entries.items():
        next_run = NOW + entry.remaining_estimate(NOW)
        print(f"{label}: {entry!r}, next run {next_run:%A %H:%M}")
    hours = crontab(minute=0, hour="*/3").hour
    print(f"hour='*/3' expands to the hours {sorted(hours)}")


if __name__ == "__main__":
    main()
