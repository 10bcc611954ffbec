"""``rate_limit="2/s"``: a worker starts that task at most twice a second, whatever its pool.

Sends five ``rate_limited`` tasks at once to a private worker with four pool processes and
prints when each started.
"""

from __future__ import annotations

import itertools

from config.celery_app import app
from lessons.idle_queue import idle_queue
from lessons.private_worker import private_worker

TASKS = 5


def main() -> None:
    app.loader.import_default_modules()
    limit = app.tasks["tasks.execution.rate_limited"].rate_limit
    with (
        idle_queue(str(app.conf.broker_url), prefix="lesson-rate") as queue,
        private_worker(queue, f"{queue}@lesson", concurrency=4),
    ):
        print(f"rate_limited has rate_limit={limit!r}; sending {TASKS} at once to 4 processes")
        results = [
            app.send_task("tasks.execution.rate_limited", args=(str(n),), queue=queue)
            for n in range(TASKS)
        ]
        starts = sorted(result.get(timeout=30) for result in results)
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    print("started at " + ", ".join(f"{start - starts[0]:.1f} s" for start in starts))
    print(f"smallest gap between two starts: {min(gaps):.2f} s")


if __name__ == "__main__":
    main()
