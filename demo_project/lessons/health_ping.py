"""``celery inspect ping`` as a health check: its output and exit status, with workers
answering and with none (a Redis database no worker listens on)."""

from __future__ import annotations

import os
import subprocess
import sys

from config.celery_app import app

EMPTY_DB = 9  # a database of the same Redis that no demo worker consumes


def ping(broker_url: str, timeout: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["celery", "-A", "config.celery_app", "inspect", "ping", "-t", timeout],
        env={**os.environ, "CELERY_BROKER_URL": broker_url},
        capture_output=True,
        text=True,
        check=False,
    )


def main() -> int:
    broker = str(app.conf.broker_url)
    answered = ping(broker, "1")
    pongs = answered.stdout.count("pong")
    print(f"with workers: {pongs} x pong, exit status {answered.returncode}")
    empty = broker.rsplit("/", 1)[0] + f"/{EMPTY_DB}"
    silent = ping(empty, "0.5")
    said = (silent.stdout + silent.stderr).strip().splitlines()
    print(f"with none: {said[-1] if said else '(nothing)'}, exit status {silent.returncode}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
