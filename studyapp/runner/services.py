"""Long-running card commands (a worker, beat, Flower, Redis) kept as managed services.

The ServiceManager lives in the event loop of whoever owns it (the study app). A service
keeps running while the learner moves on; its recent output is kept for whoever attaches
later. `stop_all()` ends every service and any other process group this program started.
`stack_status()` is a blocking probe of Redis / worker / beat / Flower: run it in a thread.
"""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from studyapp.runner import probes
from studyapp.runner.command import PreparedCommand, prepare
from studyapp.runner.process import (
    RunningProcess,
    RunOutcome,
    kill_all_groups_now,
    run_to_completion,
)

OUTPUT_KEPT_LINES = 500
# What the "start a worker" key runs: one worker for every demo queue, via the demo's script.
WORKER_SERVICE_NAME = "worker"
WORKER_COMMAND = "WORKER_QUEUES=celery,reports bash worker/start.sh"


class ServiceKind(StrEnum):
    REDIS = "redis"
    WORKER = "worker"
    BEAT = "beat"
    FLOWER = "flower"
    OTHER = "other"


_KIND_PATTERNS = (
    (ServiceKind.FLOWER, re.compile(r"\bflower\b")),
    (ServiceKind.BEAT, re.compile(r"\bbeat\b")),
    (ServiceKind.WORKER, re.compile(r"\bworker\b")),
    (ServiceKind.REDIS, re.compile(r"\bredis(-server|/start\.sh)")),
)


def classify(command: str) -> ServiceKind:
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(command):
            return kind
    return ServiceKind.OTHER


LineListener = Callable[[str], None]


@dataclass
class ManagedService:
    name: str
    kind: ServiceKind
    command: PreparedCommand
    output: deque[str] = field(default_factory=lambda: deque(maxlen=OUTPUT_KEPT_LINES))
    listeners: list[LineListener] = field(default_factory=list)
    process: RunningProcess | None = None
    outcome: RunOutcome | None = None
    task: asyncio.Task[RunOutcome] | None = None

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    @property
    def pgid(self) -> int | None:
        return self.process.pgid if self.process is not None else None

    def attach(self, listener: LineListener, replay: bool = True) -> None:
        if replay:
            for line in list(self.output):
                listener(line)
        self.listeners.append(listener)

    def detach(self, listener: LineListener) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    def emit(self, line: str) -> None:
        """One line of the service's output: kept for later attaches, passed to each listener."""
        self.output.append(line)
        for listener in list(self.listeners):
            try:
                listener(line)
            except Exception:
                # A broken listener (e.g. a panel that left the screen) must never reach the
                # reader loop, whose exit would stop the service: drop it instead.
                self.detach(listener)

    async def wait(self) -> RunOutcome:
        assert self.task is not None
        return await asyncio.shield(self.task)

    async def stop(self) -> RunOutcome | None:
        if self.process is not None and self.running:
            await self.process.stop()
        if self.task is not None:
            return await self.task
        return None


@dataclass(frozen=True)
class StackStatus:
    redis: bool
    worker: bool
    beat: bool
    flower: bool

    def as_text(self) -> str:
        def mark(name: str, up: bool) -> str:
            return f"{name} {'up' if up else 'down'}"

        return "  ".join(
            mark(n, u)
            for n, u in (
                ("Redis", self.redis),
                ("worker", self.worker),
                ("beat", self.beat),
                ("Flower", self.flower),
            )
        )


class ServiceManager:
    def __init__(self, env_overrides: Mapping[str, str] | None = None) -> None:
        self.env_overrides = dict(env_overrides or {})
        self._services: dict[str, ManagedService] = {}

    @property
    def services(self) -> list[ManagedService]:
        return list(self._services.values())

    def get(self, name: str) -> ManagedService | None:
        return self._services.get(name)

    def prepare(self, command: str) -> PreparedCommand:
        return prepare(command, self.env_overrides)

    async def start(
        self, name: str, command: str, kind: ServiceKind | None = None
    ) -> ManagedService:
        """Start `command` as service `name` (a running one of that name is returned as is)."""
        existing = self._services.get(name)
        if existing is not None and existing.running:
            return existing
        service = ManagedService(name, kind or classify(command), self.prepare(command))
        started = asyncio.Event()

        def on_start(process: RunningProcess) -> None:
            service.process = process
            started.set()

        async def run() -> RunOutcome:
            try:
                service.outcome = await run_to_completion(
                    service.command, None, on_line=service.emit, on_start=on_start
                )
                return service.outcome
            finally:
                started.set()

        service.task = asyncio.ensure_future(run())
        self._services[name] = service
        await started.wait()
        if service.process is None and service.task.done():
            service.task.result()  # re-raise the start error (OSError: no such program)
        return service

    async def stop(self, name: str) -> None:
        service = self._services.get(name)
        if service is not None:
            await service.stop()

    async def stop_services(self) -> None:
        """Stop every managed service (concurrently), leaving other commands alone."""
        await asyncio.gather(*(s.stop() for s in self._services.values()), return_exceptions=True)

    async def stop_all(self) -> None:
        """At exit: stop every service, then any other process group this program still has
        (a one-shot command included)."""
        await self.stop_services()
        kill_all_groups_now(grace=1.0)

    def running_kinds(self) -> set[ServiceKind]:
        return {s.kind for s in self._services.values() if s.running}

    def stack_status(self) -> StackStatus:
        """Blocking: probe the stack the card commands use. Call from a thread."""
        env = self.prepare("true").env
        broker = env.get("CELERY_BROKER_URL", "")
        redis_up = probes.redis_reachable(broker) if broker.startswith("redis") else False
        worker_up = redis_up and probes.worker_answers(broker)
        kinds = self.running_kinds()
        try:
            flower_port = int(env.get("FLOWER_PORT", "5555"))
        except ValueError:
            flower_port = 5555
        # Probed whoever started them (this app, `stack.sh`, a terminal): the port for
        # Flower, beat's flock for beat (a managed beat counts while it runs).
        flower_up = probes.http_answers(flower_port)
        beat_up = ServiceKind.BEAT in kinds or probes.lock_held(probes.beat_lock_path(env))
        return StackStatus(redis_up, worker_up, beat_up, flower_up)
