"""``celery purge``: delete every waiting message of a queue (the tasks never run).

Sends three tasks to a queue nobody consumes, purges only that queue with ``-Q``, and counts
the messages before and after.
"""

from __future__ import annotations

import subprocess

from config.celery_app import app
from lessons.idle_queue import broker_client, idle_queue


def main() -> None:
    broker_url = str(app.conf.broker_url)
    with idle_queue(broker_url, prefix="lesson-purge") as queue:
        for n in range(3):
            app.send_task("tasks.basic.add", args=(n, n), queue=queue)
        client = broker_client(broker_url)
        print(f"waiting in {queue}: {client.llen(queue)} messages")
        command = ["celery", "-A", "config.celery_app", "purge", "-f", "-Q", queue]
        print("$ celery -A config.celery_app purge -f -Q <queue>")
        shown = subprocess.run(command, capture_output=True, text=True, check=False)
        print(shown.stdout.strip() or shown.stderr.strip())
        print(f"waiting in {queue} now: {client.llen(queue)} messages")
        client.close()


if __name__ == "__main__":
    main()
