"""The Celery application object: task names, laziness, configuration, censoring, base classes.

One sub-command per card; each builds a small app of its own (``set_as_current=False``), so
nothing here touches the demo's app or its Redis.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from celery import Celery, Task
from lessons.subcommands import run_subcommand


def _main_name() -> None:
    # This module runs as a program (python -m), so its functions live in "__main__".
    for main in (None, "billing"):
        app = Celery(main, set_as_current=False)

        @app.task
        def add(x: int, y: int) -> int:
            return x + y

        print(f"Celery({main!r}): app.main={app.main!r}, task name {add.name}")


def _lazy_task() -> None:
    app = Celery("billing", set_as_current=False)

    @app.task
    def add(x: int, y: int) -> int:
        return x + y

    print(f"after @app.task: {type(add).__module__}.{type(add).__name__}")
    print(f"task created yet: {add.__evaluated__()}")
    print(f"app finalized: {app.finalized}; reading app.tasks ...")
    assert "billing.add" in app.tasks
    print(f"app finalized: {app.finalized}; task created: {add.__evaluated__()}")


def _from_envvar() -> None:
    os.environ["BILLING_CELERY_CONFIG"] = "lessons.probes.billing_settings"
    app = Celery("billing", set_as_current=False)
    app.config_from_envvar("BILLING_CELERY_CONFIG")
    print("config_from_envvar('BILLING_CELERY_CONFIG') returned; nothing imported yet")
    print(f"reading a setting: task_default_queue={app.conf.task_default_queue}")


def _censored() -> None:
    app = Celery("billing", set_as_current=False)
    app.conf.update(
        broker_url="redis://:s3cret@127.0.0.1:6379/0",
        result_backend="redis://:s3cret@127.0.0.1:6379/1",
        payment_api_key="pk_live_123",
        invoice_prefix="INV",
    )
    print(app.conf.humanize(with_defaults=False, censored=True))


class AuditedTask(Task):
    queue = "audited"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        print(f"AuditedTask.__call__: starting {self.name}{args}")
        return self.run(*args, **kwargs)


def _base_class() -> None:
    app = Celery("billing", set_as_current=False, task_cls=AuditedTask)

    @app.task
    def refund(order_id: int) -> str:
        return f"refunded {order_id}"

    print(f"refund inherits from AuditedTask: {isinstance(refund, AuditedTask)}")
    print(f"refund.queue = {refund.queue!r} (a class attribute of the base)")
    print(f"result: {refund.apply(args=(42,)).get()}")


def _trace_case() -> None:
    # Run in a child process: celery reads CELERY_TRACE_APP once, when it is imported.
    from celery.app import app_or_default

    app = Celery("shop", set_as_current=False)
    print(f"  app_or_default(app) -> the app passed in, {app_or_default(app).main!r}")
    try:
        fallback = app_or_default(None)
        print(f"  app_or_default(None) -> falls back on the default app, {fallback.main!r}")
    except Exception as error:  # what CELERY_TRACE_APP raises: a bare Exception
        print(f"  app_or_default(None) -> raises {type(error).__name__}: {error}")


def _trace_app() -> None:
    for value in ("", "1"):
        print(f"CELERY_TRACE_APP={value!r}:")
        environment = {**os.environ, "CELERY_TRACE_APP": value}
        command = [sys.executable, "-m", "lessons.app_basics", "trace-case"]
        subprocess.run(command, env=environment, check=True)


COMMANDS = {
    "main-name": _main_name,
    "lazy-task": _lazy_task,
    "from-envvar": _from_envvar,
    "censored": _censored,
    "base-class": _base_class,
    "trace-app": _trace_app,
    "trace-case": _trace_case,
}


def main(argv: list[str]) -> int:
    return run_subcommand("lessons.app_basics", COMMANDS, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
