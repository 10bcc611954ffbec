"""The waits ``retry_backoff`` produces, with and without jitter, and the demo's choice.

Uses the function Celery's autoretry calls (``get_exponential_backoff_interval``) with the
options' defaults, and reads the demo's ``flaky`` task options.
"""

from __future__ import annotations

from celery.utils.time import get_exponential_backoff_interval as backoff
from config.celery_app import app

SAMPLES = 400


def probe_task() -> None:
    """A task with autoretry_for and no other retry option: Celery's defaults apply."""


def main() -> None:
    app.loader.import_default_modules()
    flaky = app.tasks["tasks.advanced.flaky"]
    probe = app.task(probe_task, name="lessons.backoff_waits.probe", autoretry_for=(OSError,))
    # autoretry reads these with these fallbacks (celery/app/autoretry.py)
    jitter = getattr(probe, "retry_jitter", True)
    cap = getattr(probe, "retry_backoff_max", 600)
    print(f"defaults: retry_jitter={jitter}, retry_backoff_max={cap}")
    for retries in range(3):
        seen = sorted({backoff(1, retries, cap, full_jitter=True) for _ in range(SAMPLES)})
        print(f"retry {retries + 1} with jitter waits one of {seen} s")
    exact = [backoff(1, retries, cap, full_jitter=False) for retries in range(5)]
    print(f"retry 1-5 without jitter wait {exact} s")
    print(f"retry 13 without jitter waits {backoff(1, 12, cap)} s (capped)")
    print(
        f"the demo's flaky: retry_backoff={flaky.retry_backoff}, "
        f"retry_jitter={flaky.retry_jitter}, retry_backoff_max={flaky.retry_backoff_max}"
    )


if __name__ == "__main__":
    main()
