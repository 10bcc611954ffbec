"""Benchmark of the demo's Celery set-up on a private redis-server (prints figures, asserts
nothing).

    .venv/bin/python bench/celery_bench.py              # the demo's real settings
    .venv/bin/python bench/celery_bench.py --breakdown  # + which setting costs what

Figures: redis-benchmark's raw ops/s (the broker's ceiling here); median and p95 of one
``delay().get()`` round trip; throughput of N ``delay()`` calls until every result is in; one
group of M tasks; the CPU each process spent per task during the ``delay()`` run (client = this
process, parent = the worker's main process, pool = its prefork children, redis =
redis-server; watchfiles = the development-mode reloader of worker/start.sh). The worker is a
real 2-process prefork ``celery -A config.celery_app worker``.

The demo's settings are always measured three times: with ``--loglevel=info`` (what the start
scripts and ``studyapp verify`` run, two log lines per task), with ``--loglevel=warning`` (how
a production worker usually logs), and with the worker started by worker/start.sh itself
(development mode: watchfiles runs celery; mingle and gossip on). ``--breakdown`` starts the
worker through bench/worker_with_overrides.py to change single settings (on the client too)
and shows what each costs. Every variant is measured ``--repeat`` times on one worker and the
best figure of each kind is kept: other processes on the machine only ever make a run slower.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

import psutil  # noqa: E402
from celery import Celery, group  # noqa: E402
from celery.result import ResultSet  # noqa: E402

from demo_project.app_loader import make_app  # noqa: E402
from demo_project.contract import DEMO_DIR, DEMO_QUEUES  # noqa: E402
from demo_project.launch import RedisServer, Worker, demo_env  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
from worker_with_overrides import apply_overrides  # noqa: E402  (bench/ is the script's folder)

OVERRIDES_SCRIPT = BENCH_DIR / "worker_with_overrides.py"
PARTS = ("client", "parent", "pool", "redis", "watchfiles")
START_SCRIPT = ROOT / "demo_project" / "worker" / "start.sh"


@dataclass(frozen=True)
class Variant:
    label: str
    # Settings changed on both sides (this client's app and the worker), as name=<JSON>.
    overrides: tuple[str, ...] = ()
    worker_args: tuple[str, ...] = ()
    # Start the worker with worker/start.sh in its default development mode (watchfiles
    # runs celery; mingle and gossip on), exactly as a learner does.
    start_script: bool = False

    @property
    def shipped(self) -> bool:
        return not self.overrides


@dataclass
class Figures:
    label: str
    median_ms: float = float("inf")
    p95_ms: float = float("inf")
    delay_per_s: float = 0.0
    group_per_s: float = 0.0
    # CPU ms per task of each part during the best delay() run.
    cpu_ms: dict[str, float] = field(default_factory=dict)
    loads: list[float] = field(default_factory=list)  # 1-min load average at each run

    def line(self) -> str:
        cpu = " ".join(
            f"{part} {self.cpu_ms.get(part, 0):.2f}"
            for part in PARTS
            if part != "watchfiles" or self.cpu_ms.get(part)
        )
        load = "/".join(f"{value:.1f}" for value in self.loads)
        return (
            f"{self.label:<50} median {self.median_ms:5.2f} ms  p95 {self.p95_ms:5.2f} ms"
            f" | delay() {self.delay_per_s:4.0f}/s  group {self.group_per_s:4.0f}/s"
            f" | CPU ms/task {cpu} = {sum(self.cpu_ms.values()):.2f} | load {load}"
        )


def process_cpu_seconds(pid: int) -> float:
    """user+system CPU of one live process (0 when it is gone)."""
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return float(times.user + times.system)


def group_members(pgid: int) -> dict[int, tuple[int, tuple[str, ...]]]:
    """pid -> (parent pid, command line) of every process in the process group."""
    members = {}
    for proc in psutil.process_iter(["ppid", "cmdline"]):
        try:
            if os.getpgid(proc.pid) == pgid:
                members[proc.pid] = (proc.info["ppid"], tuple(proc.info["cmdline"] or ()))
        except (ProcessLookupError, PermissionError):
            continue
    return members


def cpu_snapshot(worker: Worker, server: RedisServer) -> dict[str, float]:
    """CPU seconds so far of each part. Pool processes are the forked children of the
    worker's main process (same command line as their parent); with start.sh the group
    also holds watchfiles, which runs the worker's main process as its child."""
    members = group_members(worker.pid or -1)
    pool = {
        pid
        for pid, (ppid, cmdline) in members.items()
        if ppid in members and members[ppid][1] == cmdline
    }
    parents = {members[pid][0] for pid in pool} or {worker.pid or -1}
    others = set(members) - pool - parents
    return {
        "client": time.process_time(),
        "parent": sum(process_cpu_seconds(pid) for pid in parents),
        "pool": sum(process_cpu_seconds(pid) for pid in pool),
        "redis": process_cpu_seconds(server.pid or -1),
        "watchfiles": sum(process_cpu_seconds(pid) for pid in others),
    }


def redis_benchmark(server: RedisServer, requests: int) -> str:
    done = subprocess.run(
        ["redis-benchmark", "-h", "127.0.0.1", "-p", str(server.port), "-q",
         "-t", "set,get,lpush,rpop", "-n", str(requests)],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    # -q still prints progress updates; keep the final "requests per second" lines.
    lines = [part.strip() for part in done.stdout.replace("\r", "\n").splitlines()]
    return "\n".join(f"  {line}" for line in lines if "requests per second" in line)


def round_trips(app: Celery, samples: int) -> list[float]:
    add = app.tasks["tasks.basic.add"]
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        add.delay(1, 1).get(timeout=10)
        timings.append(time.perf_counter() - started)
    return timings


def delay_throughput(app: Celery, count: int) -> float:
    add = app.tasks["tasks.basic.add"]
    started = time.perf_counter()
    results = ResultSet([add.delay(n, n) for n in range(count)])
    values = results.get(timeout=120)
    elapsed = time.perf_counter() - started
    assert values == [n + n for n in range(count)]
    return count / elapsed


def group_throughput(app: Celery, size: int) -> float:
    add = app.tasks["tasks.basic.add"]
    started = time.perf_counter()
    values = group(add.s(n, 1) for n in range(size)).delay().get(timeout=120)
    elapsed = time.perf_counter() - started
    assert values == [n + 1 for n in range(size)]
    return size / elapsed


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def p95(values: Sequence[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def variant_worker(env: dict[str, str], variant: Variant) -> Worker:
    """The worker for ``variant``: the plain demo command, or the same arguments run through
    worker_with_overrides.py, which edits app.conf first."""
    worker = Worker(env, concurrency=2, extra_args=variant.worker_args)
    if variant.start_script:
        worker.env.update(WORKER_QUEUES=",".join(DEMO_QUEUES), WORKER_CONCURRENCY="2")
        worker.env.pop("DEMO_ENV", None)  # development, the default
        worker.command = lambda: [  # type: ignore[method-assign]
            "bash", str(START_SCRIPT), f"--hostname={worker.nodename}", *variant.worker_args
        ]  # fmt: skip
        return worker
    if variant.shipped:
        return worker
    command = worker.command()
    worker.env["PYTHONPATH"] = str(DEMO_DIR)  # where `celery -A` would find config.celery_app
    worker.command = lambda: [  # type: ignore[method-assign]
        sys.executable, str(OVERRIDES_SCRIPT), *variant.overrides, "--",
        *command[command.index("-A"):],
    ]  # fmt: skip
    return worker


@contextmanager
def client_app(broker: str, backend: str, variant: Variant) -> Iterator[Celery]:
    """A fresh client app with the variant's settings (before it opens any connection)."""
    app = make_app(broker, backend, name="bench")
    apply_overrides(app.conf, variant.overrides)
    try:
        yield app
    finally:
        app.close()


def measure(
    variant: Variant, server: RedisServer, env: dict[str, str], args: argparse.Namespace
) -> Figures:
    figures = Figures(variant.label)
    broker, backend = server.url(0), server.url(1)
    with client_app(broker, backend, variant) as app, variant_worker(env, variant) as worker:
        worker.wait_ready(timeout=60)
        for _ in range(args.warmup):
            app.tasks["tasks.basic.add"].delay(1, 1).get(timeout=10)
        for _ in range(args.repeat):
            figures.loads.append(os.getloadavg()[0])
            timings = round_trips(app, args.samples)
            figures.median_ms = min(figures.median_ms, statistics.median(timings) * 1000)
            figures.p95_ms = min(figures.p95_ms, p95(timings) * 1000)
            before = cpu_snapshot(worker, server)
            delay_per_s = delay_throughput(app, args.tasks)
            after = cpu_snapshot(worker, server)
            if delay_per_s > figures.delay_per_s:
                figures.delay_per_s = delay_per_s
                figures.cpu_ms = {
                    part: (after[part] - before[part]) * 1000 / args.tasks for part in PARTS
                }
            figures.group_per_s = max(figures.group_per_s, group_throughput(app, args.group))
    print(figures.line(), flush=True)
    return figures


def settings(**values: Any) -> tuple[str, ...]:
    return tuple(f"{name.replace('__', '.')}={json.dumps(value)}" for name, value in values.items())


WARNING = ("--loglevel=warning",)
NO_EVENTS = settings(worker_send_task_events=False, task_send_sent_event=False)
SHIPPED = Variant("demo settings, worker --loglevel=info (as shipped)")
HEADLINE = [
    SHIPPED,
    Variant("demo settings, worker --loglevel=warning", worker_args=WARNING),
    Variant("demo settings, worker/start.sh (watchfiles, info)", start_script=True),
]
BREAKDOWN = [
    Variant("without task events (worker + client), info", NO_EVENTS),
    Variant(
        "without the client's task-sent event only, info", settings(task_send_sent_event=False)
    ),
    Variant("without task_track_started, info", settings(task_track_started=False)),
    Variant(
        "priority steps 0-9 (the old demo setting), info",
        settings(broker_transport_options__priority_steps=list(range(10))),
    ),
    Variant(
        "prefetch multiplier 1 (strict priorities), info", settings(worker_prefetch_multiplier=1)
    ),
    Variant("worker -O fair, info", worker_args=("-O", "fair")),
    Variant("worker_disable_rate_limits, info", settings(worker_disable_rate_limits=True)),
    Variant(
        "plain: no events, no STARTED, warning",
        (*NO_EVENTS, *settings(task_track_started=False)),
        WARNING,
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--group", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per variant, best kept")
    parser.add_argument("--redis-requests", type=int, default=100_000)
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument(
        "--only", action="append", help="run only the variants whose label has this (repeatable)"
    )
    args = parser.parse_args()

    variants = HEADLINE + (BREAKDOWN if args.breakdown else [])
    if args.only:
        variants = [v for v in variants if any(part in v.label for part in args.only)]
    print(f"load average (1, 5, 15 min) at the start: {load_average()}")
    results: list[Figures] = []
    with RedisServer() as server:
        broker, backend = server.url(0), server.url(1)
        os.environ["CELERY_BROKER_URL"], os.environ["CELERY_RESULT_BACKEND"] = broker, backend
        print(f"redis-benchmark -q -t set,get,lpush,rpop -n {args.redis_requests} (own server):")
        print(redis_benchmark(server, args.redis_requests), flush=True)
        env = demo_env(broker, backend)
        print(
            f"Celery: 2-process prefork worker; per variant, best of {args.repeat} runs of"
            f" {args.samples} round trips, {args.tasks} x delay() and a group of {args.group}"
            f" (after {args.warmup} warm-up calls); load = 1-min load average at each run:"
        )
        for variant in variants:
            results.append(measure(variant, server, env, args))
    if results and results[0].label == SHIPPED.label:
        shipped = results[0]
        for other in results[1:]:
            print(
                f"shipped vs {other.label}: round trip x{shipped.median_ms / other.median_ms:.2f},"
                f" delay() throughput x{shipped.delay_per_s / other.delay_per_s:.2f},"
                f" CPU/task x{sum(shipped.cpu_ms.values()) / sum(other.cpu_ms.values()):.2f}"
            )
    print(f"load average (1, 5, 15 min) at the end: {load_average()}")


if __name__ == "__main__":
    main()
