"""``retry_backoff`` waits: ``python -m lessons.backoff_waits jitter|exact``.

``jitter``: the waits Celery's autoretry computes with the defaults (full jitter, cap 600 s),
sampled from the very function autoretry calls (``get_exponential_backoff_interval``), since
one real retry shows only one draw of a random wait.
``exact``: the demo's ``flaky`` task (``retry_jitter=False``) run for real on the demo worker,
its attempts timed by the worker's task events.
"""

from __future__ import annotations

import itertools
import sys

from celery.utils.time import get_exponential_backoff_interval as backoff
from config.celery_app import app

from demo_project.client.events import TaskEventLog

SAMPLES = 400
ATTEMPTS = 3  # two retries: waits of 1 and 2 s


def probe_task() -> None:
    """A task with autoretry_for and no other retry option: Celery's defaults apply."""


def jitter() -> None:
    probe = app.task(probe_task, name="lessons.backoff_waits.probe", autoretry_for=(OSError,))
    # autoretry reads these with these fallbacks (celery/app/autoretry.py)
    full_jitter = getattr(probe, "retry_jitter", True)
    cap = getattr(probe, "retry_backoff_max", 600)
    print(f"defaults: retry_jitter={full_jitter}, retry_backoff_max={cap}")
    # autoretry passes task.request.retries: 0 when the first retry is computed
    for retries in range(4):
        seen = sorted({backoff(1, retries, cap, full_jitter=True) for _ in range(SAMPLES)})
        print(f"retry {retries + 1} (request.retries={retries}) waits one of {seen} s")
    print(f"retry 12 (request.retries=11) waits at most {backoff(1, 11, cap)} s (the cap)")


def exact() -> None:
    app.loader.import_default_modules()
    flaky = app.tasks["tasks.advanced.flaky"]
    print(f"flaky: retry_backoff={flaky.retry_backoff}, retry_jitter={flaky.retry_jitter}")
    with TaskEventLog(app) as events:
        result = flaky.delay(succeed_on_attempt=ATTEMPTS)
        result.get(timeout=30)
        starts = events.wait_for(result.id, "task-started", count=ATTEMPTS)
    gaps = [later.timestamp - earlier.timestamp for earlier, later in itertools.pairwise(starts)]
    print(f"waits between its {ATTEMPTS} attempts: {', '.join(f'{gap:.1f} s' for gap in gaps)}")


def main(argv: list[str]) -> int:
    commands = {"jitter": jitter, "exact": exact}
    if len(argv) != 1 or argv[0] not in commands:
        print("usage: python -m lessons.backoff_waits jitter|exact", file=sys.stderr)
        return 2
    commands[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
