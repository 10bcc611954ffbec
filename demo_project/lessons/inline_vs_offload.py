"""Four requests that each need 0.5 s of work, served by one request handler.

Inline, each request waits for its work and the last one is answered after 2 s; handed to
the demo worker with ``slow.delay()``, every request is answered at once.
"""

from __future__ import annotations

import time

from config.celery_app import app

REQUESTS = 4
WORK_SECONDS = 0.5


def serve(handle: object) -> list[float]:
    """Answer the requests one after another, as one busy server process does."""
    started = time.monotonic()
    answered = []
    for _ in range(REQUESTS):
        handle()  # type: ignore[operator]
        answered.append(time.monotonic() - started)
    return answered


def main() -> None:
    slow = app.signature("tasks.basic.slow", args=(WORK_SECONDS,))
    app.send_task("tasks.basic.slow", args=(0,)).get(timeout=30)  # connect before timing
    results = []
    inline = serve(lambda: time.sleep(WORK_SECONDS))
    offloaded = serve(lambda: results.append(slow.delay()))
    print(f"{REQUESTS} requests, each needing {WORK_SECONDS} s of work, one server process:")
    print("work inside the request: answered after " + ", ".join(f"{t:.1f} s" for t in inline))
    print("work handed to a worker: answered after " + ", ".join(f"{t:.2f} s" for t in offloaded))
    print(
        f"the last request waited {inline[-1] / max(offloaded[-1], 0.001):.0f} times longer inline"
    )
    done = [result.get(timeout=30) for result in results]
    print(f"the worker did the work meanwhile: {len(done)} x {done[0]!r}")
    for result in results:
        result.forget()


if __name__ == "__main__":
    main()
