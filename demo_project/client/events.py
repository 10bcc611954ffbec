"""The task events workers send (``worker_send_task_events``), recorded while a block runs.

Workers time-stamp these events themselves (task-started, task-retried, task-succeeded with
its runtime, and the task-sent of every retry message), so the client can report when things
happened in the worker, not when its own polling happened to notice them.
"""

import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from celery import Celery

from demo_project.client.report import DemoError

LISTEN_TIMEOUT = 5.0
EVENT_TIMEOUT = 5.0
STOP_CHECK_SECONDS = 0.05  # how often the listening thread checks whether to stop
HELLO = "client-listening"  # the probe event that proves the subscription is live


@dataclass(frozen=True)
class TaskEvent:
    kind: str  # "task-started", "task-succeeded", ...
    task_id: str
    timestamp: float  # seconds since the epoch, when the sender sent it
    fields: Mapping[str, Any]

    @property
    def hostname(self) -> str:
        return str(self.fields.get("hostname", "?"))

    @property
    def runtime(self) -> float:
        return float(self.fields.get("runtime") or 0.0)

    @property
    def eta(self) -> float | None:
        """The message's ETA (task-sent, task-received) in seconds since the epoch."""
        value = self.fields.get("eta")
        return datetime.fromisoformat(value).timestamp() if value else None


class TaskEventLog:
    """Context manager: every task event sent while it is open, kept in memory.

    On Redis, events travel by PUBLISH, so only a subscribed listener sees them: entering
    returns once the listener has received a probe event of its own.
    """

    def __init__(self, app: Celery) -> None:
        self._app = app
        self._events: list[TaskEvent] = []
        self._arrived = threading.Condition()
        self._hello_id = uuid.uuid4().hex
        self._heard = threading.Event()
        self._failure: BaseException | None = None
        self._connection: Any = None
        self._receiver: Any = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Self:
        self._connection = self._app.connection_for_read()
        self._receiver = self._app.events.Receiver(self._connection, handlers={"*": self._record})
        self._thread = threading.Thread(target=self._listen, name="task-events", daemon=True)
        self._thread.start()
        try:
            self._wait_until_listening()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._receiver is not None:
            self._receiver.should_stop = True
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        if self._connection is not None:
            self._connection.release()
            self._connection = None

    def _listen(self) -> None:
        try:
            for _ in self._receiver.consume(
                limit=None, timeout=None, safety_interval=STOP_CHECK_SECONDS, wakeup=False
            ):
                pass
        except Exception as exc:  # reported by the waits, in the main thread
            with self._arrived:
                self._failure = exc
                self._arrived.notify_all()

    def _record(self, event: dict[str, Any]) -> None:
        kind = str(event.get("type", ""))
        if kind == HELLO:
            if event.get("hello_id") == self._hello_id:
                self._heard.set()
            return
        task_id = event.get("uuid")
        if not kind.startswith("task-") or not task_id:
            return
        recorded = TaskEvent(kind, str(task_id), float(event.get("timestamp") or 0.0), event)
        with self._arrived:
            self._events.append(recorded)
            self._arrived.notify_all()

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + LISTEN_TIMEOUT
        with self._app.connection_for_write() as connection:
            dispatcher = self._app.events.Dispatcher(connection, enabled=True)
            while not self._heard.is_set():
                if self._failure is not None or time.monotonic() > deadline:
                    raise DemoError(f"could not listen to the workers' events: {self._failure}")
                dispatcher.send(HELLO, hello_id=self._hello_id)
                self._heard.wait(0.05)

    def of(self, task_id: str, kind: str) -> list[TaskEvent]:
        """The ``kind`` events of one task so far, oldest first."""
        with self._arrived:
            found = [e for e in self._events if e.task_id == task_id and e.kind == kind]
        return sorted(found, key=lambda event: event.timestamp)

    def wait_for(
        self, task_id: str, kind: str, count: int = 1, timeout: float = EVENT_TIMEOUT
    ) -> list[TaskEvent]:
        """The first ``count`` ``kind`` events of a task, waiting up to ``timeout`` for them."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = [e for e in self._events if e.task_id == task_id and e.kind == kind]
                if len(found) >= count:
                    return sorted(found, key=lambda event: event.timestamp)[:count]
                left = deadline - time.monotonic()
                if self._failure is not None or left <= 0:
                    raise DemoError(
                        f"expected {count} {kind} event(s) of task {task_id}, saw {len(found)}:"
                        " does the worker send task events (worker_send_task_events)?"
                    )
                self._arrived.wait(left)
