"""A ``@shared_task`` sends through the *current* app: without the project's app imported, that
is Celery's default app, which talks to RabbitMQ on localhost.

Nothing is sent: the lesson only asks each app where its connection would go. It runs as a
fresh shell would, without CELERY_BROKER_URL in the environment.
"""

from __future__ import annotations

import os

from celery import current_app, shared_task


@shared_task
def ping_task() -> str:
    return "pong"


def main() -> None:
    os.environ.pop("CELERY_BROKER_URL", None)  # a fresh shell: nothing exported
    print(f"no app imported: current app {current_app.main or 'default'!r},"
          f" broker {current_app.connection_for_write().as_uri()}")  # fmt: skip
    from config.celery_app import app  # what `import tasks.basic` now does for you

    print(f"after importing config.celery_app: current app {current_app.main!r},"
          f" broker {current_app.connection_for_write().as_uri()}")  # fmt: skip
    print(f"ping_task now belongs to {ping_task.app.main!r}: {ping_task.app is app}")


if __name__ == "__main__":
    main()
