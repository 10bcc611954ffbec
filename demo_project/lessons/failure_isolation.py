"""A task that crashes in the worker does not crash the program that sent it.

Sends ``always_fails`` and right after it ``add``: the sender gets no exception, goes on,
and the worker serves the next task; the failure is only recorded in the result backend.
"""

from __future__ import annotations

from config.celery_app import app


def main() -> None:
    failing = app.send_task("tasks.basic.always_fails", args=("disk full",))
    print("sent always_fails('disk full'): no exception in the sender")
    following = app.send_task("tasks.basic.add", args=(2, 3))
    value = following.get(timeout=20)
    print(f"the sender went on, and the workers still serve: add(2, 3) = {value}")
    failing.get(timeout=20, propagate=False)
    print(f"the failure stays in the result backend: state {failing.state}, {failing.result!r}")
    failing.forget()
    following.forget()


if __name__ == "__main__":
    main()
