"""``rate_limit="2/s"`` is enforced by each worker on its own, not across the cluster.

Starts two private workers (two pool processes each) on one queue, sends six
``rate_limited_here`` tasks at once and prints when, and on which worker, each started.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

from config.celery_app import app
from lessons.idle_queue import idle_queue
from lessons.setting_up import workers_started_together

from demo_project.signals import exit_on_sigterm

TASKS = 6
WORKERS = 2
PREFETCH_ONE = ("--prefetch-multiplier", "1")  # so both workers get a share of the six


def main() -> None:
    app.loader.import_default_modules()
    limit = app.tasks["tasks.execution.rate_limited_here"].rate_limit
    with idle_queue(str(app.conf.broker_url), prefix="lesson-rate") as queue:
        names = [f"rate-{n}-{queue[-8:]}@lesson" for n in range(1, WORKERS + 1)]
        with workers_started_together([(queue, name, list(PREFETCH_ONE)) for name in names]):
            print(f"rate_limited_here has rate_limit={limit!r}; sending {TASKS} at once")
            print(f"to {WORKERS} workers on one queue")
            results = [
                app.send_task("tasks.execution.rate_limited_here", queue=queue)
                for _ in range(TASKS)
            ]
            runs = [result.get(timeout=30) for result in results]
    first = min(run["started"] for run in runs)
    by_worker: dict[str, list[float]] = defaultdict(list)
    for run in runs:
        by_worker[run["worker"]].append(run["started"] - first)
    gaps = []
    for n, starts in enumerate(sorted(by_worker.values(), key=min), start=1):
        starts.sort()
        gaps += [later - earlier for earlier, later in itertools.pairwise(starts)]
        print(f"worker {n} started its tasks at " + ", ".join(f"{s:.1f} s" for s in starts))
    span = max(max(starts) for starts in by_worker.values())
    print(f"smallest gap between two starts on one worker: {min(gaps):.2f} s")
    print(f"all {TASKS} started within {span:.1f} s; one worker alone needs 2.5 s for 6")


if __name__ == "__main__":
    exit_on_sigterm()
    main()
