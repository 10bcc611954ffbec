"""Start the demo worker with some settings changed (used by celery_bench.py --breakdown).

    python ../bench/worker_with_overrides.py task_track_started=0 -- -A config.celery_app worker

Run with cwd demo_project/. Values are ints; ``0``/``1`` also serve as booleans.
"""

import sys
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo_project"
sys.path.insert(0, str(DEMO_DIR))

from config.celery_app import app  # noqa: E402


def main(argv: list[str]) -> None:
    split = argv.index("--")
    for item in argv[:split]:
        name, value = item.split("=", 1)
        app.conf[name] = int(value)
    celery_args = argv[split + 1 :]
    # Drop "-A config.celery_app": the app object is given directly.
    if celery_args[:1] == ["-A"]:
        celery_args = celery_args[2:]
    app.worker_main(celery_args)


if __name__ == "__main__":
    main(sys.argv[1:])
