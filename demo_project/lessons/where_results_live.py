"""The broker carries task messages; the result backend keeps results (for result_expires).

Runs ``tasks.basic.add`` on the demo worker, then looks for its result in both Redis databases.
"""

from __future__ import annotations

import redis
from config.celery_app import app


def main() -> None:
    result = app.send_task("tasks.basic.add", args=(20, 22))
    print(f"result.get() = {result.get(timeout=20)}")
    key = f"celery-task-meta-{result.id}"
    for role, url in (("broker", app.conf.broker_url), ("result backend", app.conf.result_backend)):
        client = redis.Redis.from_url(str(url))
        db = client.connection_pool.connection_kwargs.get("db", 0)
        found = bool(client.exists(key))
        print(f"{role} (db {db}): result key present: {found}")
        if found:
            print(
                f"  expires in about {round(client.ttl(key) / 3600)} hours"
                f" (result_expires = {app.conf.result_expires})"
            )
        client.close()
    result.forget()


if __name__ == "__main__":
    main()
