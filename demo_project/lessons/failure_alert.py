"""Alerting on failed tasks with the ``task_failure`` signal (shown in eager mode, no broker)."""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import task_failure
from lessons.shop import tasks

alerts: list[str] = []


@task_failure.connect
def send_alert(
    sender: Any = None, task_id: str | None = None, exception: Any = None, **_: Any
) -> None:
    # A real project would page someone or post to a chat channel here.
    alerts.append(f"ALERT: task {sender.name} ({task_id}) failed: {exception!r}")


def main() -> None:
    app = Celery("alert-lesson", broker="memory://", set_as_current=False)
    app.conf.task_always_eager = True
    app.tasks[tasks.confirm_order.name].delay(1)
    app.tasks[tasks.broken_export.name].delay()
    print(f"alerts raised: {len(alerts)}")
    for alert in alerts:
        print(alert)


if __name__ == "__main__":
    main()
