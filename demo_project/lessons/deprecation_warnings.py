"""Why a worker reading CELERY_-prefixed settings warns about deprecated settings.

Celery's check for its pre-4.0 setting names (what a worker runs at start-up) is asked of two
apps with the same values: one reading ``config.settings`` through ``namespace="CELERY"``, one
reading ``config.settings:CELERY`` (the same settings under Celery's own names), as the demo does.
"""

from __future__ import annotations

import warnings

from celery import Celery


def start_up_warnings(app: Celery) -> list[str]:
    """The deprecation warnings a worker of ``app`` would log at start-up."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app.conf.maybe_warn_deprecated_settings()  # the worker's own start-up check
    return [str(warning.message).split("'")[1] for warning in caught]


def main() -> None:
    namespaced = Celery("namespaced", set_as_current=False)
    namespaced.config_from_object("config.settings", namespace="CELERY")
    own_names = Celery("own-names", set_as_current=False)
    own_names.config_from_object("config.settings:CELERY")
    flagged = start_up_warnings(namespaced)
    print(f'namespace="CELERY": {len(flagged)} deprecation warnings at worker start-up')
    for name in sorted(flagged):
        print(f"  {name}: also the pre-4.0 name of {name.removeprefix('CELERY_').lower()}")
    print(f"config.settings:CELERY: {len(start_up_warnings(own_names))} deprecation warnings")
    keys = ("result_backend", "accept_content", "task_serializer", "timezone", "task_routes")
    same = all(namespaced.conf[key] == own_names.conf[key] for key in keys)
    print(f"same values either way: {same}")


if __name__ == "__main__":
    main()
