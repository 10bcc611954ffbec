"""The demo's Celery application: ``celery -A config.celery_app worker`` (cwd ``demo_project/``).

Settings come from ``config.settings`` (``CELERY_`` namespace); task modules are listed
explicitly in ``include`` so a worker registers exactly these tasks under the names
``tasks.<theme>.<function>``.
"""

from celery import Celery

TASK_MODULES = [
    "tasks.basic",
    "tasks.workflows",
    "tasks.advanced",
    "tasks.periodic",
    "tasks.execution",
]

app = Celery("demo", include=TASK_MODULES)
app.config_from_object("config.settings", namespace="CELERY")
