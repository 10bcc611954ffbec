"""``config_from_object(..., namespace="CELERY")``: only CELERY_-prefixed names become settings."""

from __future__ import annotations

from celery import Celery


class Settings:
    """Stands for a Django settings module."""

    CELERY_BROKER_URL = "redis://localhost:6379/0"
    CELERY_TASK_TRACK_STARTED = True
    CELERY_RESULT_EXPIRES = 3600
    DEBUG = True  # a web-framework setting: not Celery's business
    BROKER_URL = "redis://elsewhere:6379/9"  # lacks the prefix, so it is ignored


def main() -> None:
    app = Celery("namespace-lesson")
    # A string: Celery imports the object by name when the configuration is first needed.
    app.config_from_object("lessons.settings_namespace:Settings", namespace="CELERY")
    print(f"CELERY_BROKER_URL         -> broker_url = {app.conf.broker_url}")
    print(f"CELERY_TASK_TRACK_STARTED -> task_track_started = {app.conf.task_track_started}")
    print(f"CELERY_RESULT_EXPIRES     -> result_expires = {app.conf.result_expires}")
    print(f"DEBUG read as a setting: {'debug' in app.conf}")


if __name__ == "__main__":
    main()
