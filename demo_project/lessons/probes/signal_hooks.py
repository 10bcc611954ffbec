"""Signal handlers a lesson's private worker loads with ``--include lessons.probes.signal_hooks``.

Each prints one line naming the signal and the process it ran in; the worker's log then shows
when and where each signal fired (``lessons.signal_order`` reads it).
"""

import os
from typing import Any

from celery import signals


def _say(text: str) -> None:
    print(f"signal {text} (pid {os.getpid()})", flush=True)


@signals.worker_process_init.connect
def on_process_init(**kwargs: Any) -> None:
    _say("worker_process_init")


@signals.task_received.connect
def on_received(request: Any, **kwargs: Any) -> None:
    _say(f"task_received {request.name}")


@signals.task_prerun.connect
def on_prerun(task: Any, **kwargs: Any) -> None:
    _say(f"task_prerun {task.name}")


@signals.task_success.connect
def on_success(sender: Any, result: Any, **kwargs: Any) -> None:
    _say(f"task_success {sender.name} result={result!r}")


@signals.task_postrun.connect
def on_postrun(task: Any, state: str, **kwargs: Any) -> None:
    _say(f"task_postrun {task.name} state={state}")
