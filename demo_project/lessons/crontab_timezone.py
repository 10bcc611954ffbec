"""``crontab(hour=7, minute=30, day_of_week=1)`` is 07:30 on the app's clock: its ``timezone``.

The same entry is asked, at one fixed moment, when it fires next under three time zones;
the answer is shown on the local clock and in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from celery import Celery
from celery.schedules import crontab

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday, 12:00 UTC


def next_run(zone: str) -> datetime:
    app = Celery(f"tz-{zone}", set_as_current=False)
    app.conf.timezone = zone
    local_now = NOW.astimezone(app.timezone)  # beat measures time in the app's zone
    entry = crontab(hour=7, minute=30, day_of_week=1, app=app, nowfun=lambda: local_now)
    return local_now + entry.remaining_estimate(local_now)


def main() -> None:
    print(f"crontab(hour=7, minute=30, day_of_week=1), asked {NOW:%A %H:%M} UTC:")
    for zone in ("UTC", "Europe/Paris", "America/New_York"):
        fires = next_run(zone)
        print(f"  timezone {zone}: {fires:%A %H:%M} local = {fires.astimezone(UTC):%H:%M} UTC")
    from config.celery_app import app

    print(f"the demo's timezone (CELERY_TIMEZONE, default UTC): {app.conf.timezone}")


if __name__ == "__main__":
    main()
