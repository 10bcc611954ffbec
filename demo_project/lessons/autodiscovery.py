"""``autodiscover_tasks``: Celery imports ``<package>.tasks`` for every listed package.

The list is passed as a callable (like ``lambda: settings.INSTALLED_APPS``) so it is read only
when the worker loads its modules, after the project's settings are ready.
"""

from __future__ import annotations

from celery import Celery

INSTALLED_APPS = ["lessons.shop"]


def main() -> None:
    app = Celery("discovery-lesson", set_as_current=False)
    app.autodiscover_tasks(lambda: INSTALLED_APPS)
    name = "lessons.shop.tasks.confirm_order"
    print(f"before the worker loads modules: {name} registered: {name in app.tasks}")
    app.loader.import_default_modules()  # what a starting worker does
    print(f"after the worker loads modules: {name} registered: {name in app.tasks}")


if __name__ == "__main__":
    main()
