"""Load the demo's Celery app the one safe way: as ``config.celery_app`` from DEMO_DIR.

The demo's packages are imported under their top-level names (``config``, ``tasks``), as
``celery -A config.celery_app`` does, so this module is the one place that puts
``demo_project/`` on ``sys.path`` for in-process users (the demo client, tests, the bench).
"""

import importlib
import sys
from types import ModuleType

from celery import Celery

from demo_project.contract import APP_MODULE, DEMO_DIR


def _import_demo_module(name: str) -> ModuleType:
    if str(DEMO_DIR) not in sys.path:
        sys.path.insert(0, str(DEMO_DIR))
    return importlib.import_module(name)


def load_app() -> Celery:
    """Put ``demo_project/`` on ``sys.path`` and return ``config.celery_app.app``.

    Settings are read from the environment when the module is first imported, so set
    ``CELERY_BROKER_URL`` / ``CELERY_RESULT_BACKEND`` before the first call.
    """
    module = _import_demo_module(APP_MODULE)
    app: Celery = module.app
    return app


def make_app(broker_url: str, result_backend: str, name: str = "demo-client") -> Celery:
    """A separate app with the demo's settings and tasks but explicit broker/backend URLs,
    for in-process users that need a given Redis (tests, the benchmark).

    It is not made the current app. Celery lets ``CELERY_BROKER_URL`` and
    ``CELERY_RESULT_BACKEND`` in the environment override the URLs, so keep them equal.
    """
    config = _import_demo_module(APP_MODULE)
    app = Celery(name, include=list(config.TASK_MODULES), set_as_current=False)
    app.config_from_object("config.settings:CELERY")  # as config.celery_app does
    app.conf.update(broker_url=broker_url, result_backend=result_backend)
    app.loader.import_default_modules()
    return app
