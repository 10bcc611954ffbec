"""Where a task runs under each worker pool (``-P``): a child process, a thread, or inline.

Starts a private worker per pool (side by side, each on a queue of its own) and asks
``whoami`` where it ran.
"""

from __future__ import annotations

import os
from contextlib import ExitStack

from config.celery_app import app
from lessons.idle_queue import idle_queue

from demo_project.launch import Worker
from demo_project.signals import exit_on_sigterm

POOLS = (("prefork", 2), ("threads", 2), ("solo", 1))


def main() -> None:
    with ExitStack() as stack:
        running = []
        for pool, concurrency in POOLS:  # the three start side by side
            queue = stack.enter_context(idle_queue(str(app.conf.broker_url), f"lesson-{pool}"))
            worker = Worker(
                os.environ,
                queues=[queue],
                concurrency=concurrency,
                name=f"{queue}@lesson",
                extra_args=("--pool", pool),
            )
            stack.callback(worker.log_path.unlink, missing_ok=True)
            stack.callback(worker.stop, grace=5)
            running.append((pool, concurrency, queue, worker.start()))
        for pool, concurrency, queue, worker in running:
            worker.wait_ready(timeout=30)
            seen = app.send_task("tasks.execution.whoami", queue=queue).get(timeout=20)
            where = (
                "a child process of the worker"
                if seen["pid"] != worker.pid
                else "the worker's own process"
            )
            print(
                f"-P {pool} -c {concurrency}: task ran in {where} "
                f"(worker pid {worker.pid}, task pid {seen['pid']}, thread {seen['thread']})"
            )


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still stops what this lesson started
    main()
