"""Start the demo worker with some settings changed (used by celery_bench.py).

    PYTHONPATH=. python ../bench/worker_with_overrides.py task_track_started=false -- \
        -A config.celery_app worker

Run in demo_project/ with it on PYTHONPATH (as `celery` puts its folder on the path). Each
override is ``name=<JSON value>``; a dotted name changes one key of a dict setting
(``broker_transport_options.priority_steps=[0,3,6,9]``). ``0``/``1`` serve as booleans too;
``null`` sets None.
"""

import json
import sys
from collections.abc import MutableMapping, Sequence
from typing import Any


def apply_overrides(conf: MutableMapping[str, Any], overrides: Sequence[str]) -> None:
    """Apply ``name=<JSON>`` items to a Celery app's ``conf``."""
    for item in overrides:
        name, raw = item.split("=", 1)
        value = json.loads(raw)
        setting, _, key = name.partition(".")
        if key:
            # A copy: the dict may be the settings module's own object, shared with other apps.
            conf[setting] = {**(conf[setting] or {}), key: value}
        else:
            conf[setting] = value


def main(argv: list[str]) -> None:
    split = argv.index("--")
    options, celery_args = argv[:split], argv[split + 1 :]
    from config.celery_app import app

    apply_overrides(app.conf, options)
    # Drop "-A config.celery_app": the app object is given directly.
    if celery_args[:1] == ["-A"]:
        celery_args = celery_args[2:]
    app.worker_main(celery_args)


if __name__ == "__main__":
    main(sys.argv[1:])
