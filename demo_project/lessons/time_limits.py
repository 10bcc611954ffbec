"""Time limits on the demo worker (prefork): ``python -m lessons.time_limits soft|hard``.

``tasks.advanced.time_limited`` has ``soft_time_limit=1`` and ``time_limit=2`` and wants 5 s.
``soft``: the task catches SoftTimeLimitExceeded at 1 s, cleans up and returns.
``hard``: the task ignores it; at 2 s the worker kills the pool process running it and
starts a fresh one in its place.
"""

from __future__ import annotations

import sys
import time

from config.celery_app import app

from demo_project.client.failures import pool_after_kill
from demo_project.client.session import Session

TIMEOUT = 20.0


def soft() -> None:
    task = app.tasks["tasks.advanced.time_limited"]
    print(f"time_limited: soft_time_limit={task.soft_time_limit}, time_limit={task.time_limit}")
    started = time.monotonic()
    value = task.delay(5, clean_up=True).get(timeout=TIMEOUT)
    print(f"after {time.monotonic() - started:.1f} s the task returned: {value!r}")


def hard() -> None:
    task = app.tasks["tasks.advanced.time_limited"]
    result = task.delay(5, clean_up=False)
    runner: dict[str, object] = {}
    deadline = time.monotonic() + TIMEOUT
    while not result.ready() and time.monotonic() < deadline:
        info = result.info
        if result.state == "STARTED" and isinstance(info, dict):
            runner.update(info)  # what STARTED stores: the pool process's pid and hostname
        time.sleep(0.02)
    result.get(timeout=TIMEOUT, propagate=False)
    print(f"the task ignored the soft limit -> {result.state}: {result.result!r}")
    if "pid" in runner:
        pid, hostname = int(str(runner["pid"])), str(runner["hostname"])
        pool, size = pool_after_kill(Session(app), hostname, pid)
        print(f"pool process {pid} that ran it is gone from the pool of {hostname}")
        print(f"pool now: {', '.join(map(str, pool))} ({len(pool)} of {size} processes)")


def main(argv: list[str]) -> int:
    commands = {"soft": soft, "hard": hard}
    if len(argv) != 1 or argv[0] not in commands:
        print("usage: python -m lessons.time_limits soft|hard", file=sys.stderr)
        return 2
    app.loader.import_default_modules()
    commands[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
