"""The demo's Celery application: ``celery -A config.celery_app worker`` (cwd ``demo_project/``).

Settings come from ``config.settings``, written with Django's ``CELERY_`` prefix; task modules
are listed explicitly in ``include`` so a worker registers exactly these tasks under the names
``tasks.<theme>.<function>``. Importing any task module imports this one too (``tasks/__init__``),
so ``from tasks.basic import add; add.delay(2, 2)`` talks to the demo's Redis in any shell.
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
# Not config_from_object("config.settings", namespace="CELERY"), although that reads the same
# values: Celery's check for its pre-4.0 setting names looks at the names as written, before
# the namespace is taken off (celery/celery#6366; Celery exempts only Django's settings object),
# and CELERY_RESULT_BACKEND, CELERY_TASK_SERIALIZER, CELERY_RESULT_SERIALIZER,
# CELERY_ACCEPT_CONTENT and CELERY_TIMEZONE are spelt exactly like pre-4.0 names. Every worker
# would open with a CDeprecationWarning for each. config.settings.CELERY holds the same settings
# under Celery's own names (what the namespace maps them to), so nothing looks old.
app.config_from_object("config.settings:CELERY")
