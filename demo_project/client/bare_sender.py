"""``python -m demo_project.client.bare_sender TASK_NAME ARG...``: send a task by name only.

``celery-demo send-task`` runs this in a fresh interpreter, because the client itself imports
the demo's task modules (and a shared_task joins every app of a process that imported it).
Here nothing but celery and the demo's broker settings is loaded, so the printed registry
check shows what the sender really had: the task's name, not its code.
Exit status: 0 with a result, 3 when none arrives in time, 1 on any other error.
"""

import os
import sys
from collections.abc import Sequence

from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeoutError

from demo_project.contract import client_transport_options

RESULT_TIMEOUT = 10.0


def task_modules_loaded() -> list[str]:
    return sorted(name for name in sys.modules if name == "tasks" or name.startswith("tasks."))


def main(argv: Sequence[str] | None = None) -> int:
    name, *raw_args = sys.argv[1:] if argv is None else argv
    app = Celery(
        "bare-sender",
        broker=os.environ["CELERY_BROKER_URL"],
        backend=os.environ["CELERY_RESULT_BACKEND"],
        set_as_current=False,
    )
    app.conf.broker_transport_options = client_transport_options()  # same key separator
    print(f"task modules imported by the sender: {', '.join(task_modules_loaded()) or 'none'}")
    print(f"the sender's app has the code of {name}: {name in app.tasks}")
    try:
        result = app.send_task(name, args=[int(arg) for arg in raw_args])
        print(f"task id: {result.id}")
        print(f"result: {result.get(timeout=RESULT_TIMEOUT)}")
    except CeleryTimeoutError:
        print(f"error: no result within {RESULT_TIMEOUT:g} s: is a worker running?")
        return 3
    except Exception as exc:  # one line, never a traceback
        print(f"error: {type(exc).__name__}: {exc}")
        return 1
    finally:
        app.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
