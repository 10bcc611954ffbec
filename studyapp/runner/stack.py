"""The live demo stack `studyapp verify` runs cards against.

If workers already answer on the configured broker and together consume every demo queue,
that stack is used as it is.
Otherwise a private `redis-server` on a free loopback port and two workers are started
(one for the default `celery` queue, one for the routed `reports` queue, so routing is
real), and stopped again on exit. Either way the result is the env overrides every card
command gets.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from demo_project import contract, launch
from studyapp.runner import probes

WORKER_READY_TIMEOUT = 60.0


def existing_stack(env: Mapping[str, str]) -> dict[str, str] | None:
    """Overrides for a running stack whose workers serve every demo queue, else None."""
    broker = env.get("CELERY_BROKER_URL", contract.DEFAULT_BROKER_URL)
    if not set(contract.DEMO_QUEUES) <= probes.consumed_queues(broker):
        return None  # no worker, or one that would leave routed tasks waiting forever
    return {
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": env.get("CELERY_RESULT_BACKEND", broker.rsplit("/", 1)[0] + "/1"),
    }


def start_private_stack(
    stack: contextlib.ExitStack, say: Callable[[str], None] = print
) -> dict[str, str]:
    """Start Redis + workers inside `stack` (stopped when it closes); return the overrides."""
    scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="studyapp-verify-")))
    redis_server = stack.enter_context(launch.RedisServer(data_dir=scratch / "redis"))
    overrides = {
        "CELERY_BROKER_URL": redis_server.url(0),
        "CELERY_RESULT_BACKEND": redis_server.url(1),
        "REDIS_PORT": str(redis_server.port),
        "FLOWER_PORT": str(launch.free_port()),
        "CELERY_BEAT_SCHEDULE_FILE": str(scratch / "celerybeat-schedule"),
        "DEMO_VAR_DIR": str(scratch / "var"),
    }
    env = launch.demo_env(overrides["CELERY_BROKER_URL"], overrides["CELERY_RESULT_BACKEND"])
    env.update(overrides)
    default_queues = [q for q in contract.DEMO_QUEUES if q != contract.REPORTS_QUEUE]
    reports = [contract.REPORTS_QUEUE]
    workers = [
        stack.enter_context(launch.Worker(env, default_queues, concurrency=2, name="verify")),
        stack.enter_context(launch.Worker(env, reports, concurrency=1, name="verify-reports")),
    ]
    for worker in workers:
        worker.wait_ready(WORKER_READY_TIMEOUT)
    say(
        f"started redis on 127.0.0.1:{redis_server.port} and workers "
        + ", ".join(w.nodename for w in workers)
    )
    return overrides


def provide_stack(
    stack: contextlib.ExitStack, own: bool = False, say: Callable[[str], None] = print
) -> dict[str, str]:
    if not own:
        found = existing_stack(os.environ)
        if found is not None:
            say(f"using the workers already answering on {found['CELERY_BROKER_URL']}")
            return found
    return start_private_stack(stack, say)
