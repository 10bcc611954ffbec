"""``config_from_object(..., namespace="CELERY")``: only CELERY_-prefixed names become settings."""

from __future__ import annotations

from celery import Celery


class Settings:
    """Stands for a Django settings module."""

    CELERY_TASK_DEFAULT_QUEUE = "orders"
    CELERY_TASK_TRACK_STARTED = True
    CELERY_RESULT_EXPIRES = 3600
    DEBUG = True  # a web-framework setting: not Celery's business
    TASK_DEFAULT_QUEUE = "ignored"  # lacks the prefix, so it is not read


def main() -> None:
    app = Celery("namespace-lesson")
    # A string: Celery imports the object by name when the configuration is first needed.
    app.config_from_object("lessons.settings_namespace:Settings", namespace="CELERY")
    print(f"CELERY_TASK_DEFAULT_QUEUE -> task_default_queue = {app.conf.task_default_queue}")
    print(f"CELERY_TASK_TRACK_STARTED -> task_track_started = {app.conf.task_track_started}")
    print(f"CELERY_RESULT_EXPIRES     -> result_expires = {app.conf.result_expires}")
    print(f"DEBUG read as a setting: {'debug' in app.conf}")


if __name__ == "__main__":
    main()
