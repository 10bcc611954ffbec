"""``result.get()`` re-raises the task's exception in the caller; ``propagate=False`` returns it."""

from __future__ import annotations

from config.celery_app import app


def main() -> None:
    result = app.send_task("tasks.basic.always_fails", args=("disk full",))
    try:
        result.get(timeout=20)
    except ValueError as error:
        print(f"get() re-raised in the caller: {type(error).__name__}: {error}")
    value = result.get(timeout=20, propagate=False)
    print(f"get(propagate=False) returned: {value!r}; state {result.state}")
    print(f"traceback stored with the result: {result.traceback is not None}")
    result.forget()


if __name__ == "__main__":
    main()
