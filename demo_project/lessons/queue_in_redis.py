"""Where a waiting task message lives: a Redis list named after its queue.

Sends ``tasks.basic.add`` to a queue no worker consumes, then reads the broker directly.
"""

from __future__ import annotations

import base64
import json

from config.celery_app import app
from lessons.idle_queue import broker_client, idle_queue, queue_keys


def main() -> None:
    broker_url = str(app.conf.broker_url)
    with idle_queue(broker_url) as queue:
        result = app.send_task("tasks.basic.add", args=(2, 3), queue=queue)
        client = broker_client(broker_url)
        print(f"sent task {result.id} to queue {queue!r}; no worker consumes it")
        for key in queue_keys(client, queue):
            print(f"redis list {key!r}: LLEN = {client.llen(key)}")
            message = json.loads(client.lindex(key, 0) or "{}")
            body = json.loads(base64.b64decode(message["body"]))
            print(f"  task name in the message headers: {message['headers']['task']}")
            print(f"  arguments in the message body: {body[0]}")
        print(f"state seen by the client meanwhile: {result.state}")
        client.close()


if __name__ == "__main__":
    main()
