"""A worker bootstep for ``lessons.bootsteps_demo startstop`` (loaded with ``--include``).

``--include`` imports this module before the worker builds its blueprints, so the step added
here becomes part of this worker.
"""

from typing import Any

from celery import bootsteps
from config.celery_app import app


class AuditStep(bootsteps.StartStopStep):
    # Start after the pool (and stop before it): start() may use worker.pool.
    requires = ("celery.worker.components:Pool",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        print("AuditStep.__init__: the worker is building its blueprint", flush=True)

    def start(self, worker: Any) -> None:
        processes = worker.pool.num_processes
        print(f"AuditStep.start: the pool is up with {processes} process(es)", flush=True)

    def stop(self, worker: Any) -> None:
        print("AuditStep.stop: the worker is shutting down", flush=True)


app.steps["worker"].add(AuditStep)
