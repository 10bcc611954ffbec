"""With the JSON serializer a non-JSON argument fails in the caller, before anything is sent."""

from __future__ import annotations

from config.celery_app import app
from kombu.exceptions import EncodeError


def main() -> None:
    try:
        app.send_task("tasks.basic.add", args=({1, 2}, 3))
    except EncodeError as error:
        print(
            f"send_task refused the set: {type(error).__module__}.{type(error).__name__}: {error}"
        )


if __name__ == "__main__":
    main()
