"""``autodiscover_tasks``: ``python -m lessons.autodiscovery what|when``.

``what``: for every listed package Celery imports ``<package>.tasks``; a package without one
is skipped. ``when``: the import waits until the app loads its default modules (what a
starting worker does), which is why the list may be a callable read only then, once the
project's settings are ready.
"""

from __future__ import annotations

import sys

from celery import Celery

INSTALLED_APPS = ["lessons.shop", "email"]  # email: a package with no tasks module
TASK = "lessons.shop.tasks.confirm_order"


def main(argv: list[str]) -> int:
    if argv not in (["what"], ["when"]):
        print("usage: python -m lessons.autodiscovery what|when", file=sys.stderr)
        return 2
    app = Celery("discovery-lesson", set_as_current=False)
    app.autodiscover_tasks(lambda: INSTALLED_APPS)
    if argv == ["when"]:
        print(f"right after autodiscover_tasks(): {TASK} registered: {TASK in app.tasks}")
    app.loader.import_default_modules()  # what a starting worker does
    if argv == ["when"]:
        print(f"after the app loaded its default modules: registered: {TASK in app.tasks}")
        return 0
    modules = sorted(name for name in sys.modules if name.endswith(".tasks"))
    print(f"autodiscover_tasks(lambda: {INSTALLED_APPS}) imported: {', '.join(modules)}")
    own = sorted(name for name in app.tasks if not name.startswith("celery."))
    print(f"tasks registered from them: {', '.join(own)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
