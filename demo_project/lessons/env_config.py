"""One settings file, a broker per environment: the same ``config.celery_app`` started with
two values of ``CELERY_BROKER_URL``, as on a laptop and inside Compose."""

from __future__ import annotations

import os
import subprocess
import sys

PRINT_BROKER = "from config.celery_app import app; print(app.conf.broker_url)"
ENVIRONMENTS = {
    "on a laptop": "redis://127.0.0.1:6379/0",
    "inside Compose": "redis://redis:6379/0",
}


def main() -> None:
    for where, url in ENVIRONMENTS.items():
        env = {**os.environ, "CELERY_BROKER_URL": url}
        done = subprocess.run(
            [sys.executable, "-c", PRINT_BROKER],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        print(f"{where}: CELERY_BROKER_URL={url} -> app.conf.broker_url = {done.stdout.strip()}")


if __name__ == "__main__":
    main()
