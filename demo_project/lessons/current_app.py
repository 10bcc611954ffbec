"""A ``@shared_task`` sends through the *current* app: until the project's app module is
imported, that is Celery's default app (RabbitMQ on localhost, no result backend).

Nothing is sent: the lesson only asks each app where its connection would go. It runs as a
fresh shell would, without CELERY_BROKER_URL in the environment.
"""

from __future__ import annotations

import os

from celery import Celery, current_app, shared_task


@shared_task
def ping_task() -> str:
    return "pong"


def where(app: Celery) -> str:
    info = app.connection_for_write().info()
    backend = type(app.backend).__name__
    return f"broker {info['transport']} on {info['hostname']}, result backend {backend}"


def main() -> None:
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        os.environ.pop(name, None)  # a fresh shell: nothing exported
    print(f"nothing imported the app module: current app {current_app.main or 'default'!r}")
    print(f"  ping_task.delay() would use: {where(ping_task.app)}")
    from config.celery_app import app  # what `from .celery import app` in __init__ does

    print(f"after importing config.celery_app: current app {current_app.main!r}")
    print(f"  ping_task.delay() would use: {where(ping_task.app)}")
    print(f"ping_task now belongs to {ping_task.app.main!r}: {ping_task.app is app}")


if __name__ == "__main__":
    main()
