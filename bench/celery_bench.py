"""Benchmark of the demo's Celery set-up on a private redis-server (prints figures, asserts
nothing).

    .venv/bin/python bench/celery_bench.py              # the demo's real settings
    .venv/bin/python bench/celery_bench.py --breakdown  # + which setting costs what

Figures: redis-benchmark's raw ops/s (the broker's ceiling here); median and p95 of one
``delay().get()`` round trip; throughput of N ``delay()`` calls until every result is in; one
group of M tasks. The worker is a real 2-process prefork ``celery -A config.celery_app
worker``. ``--breakdown`` starts the worker through bench/worker_with_overrides.py to switch
single settings off (or the prefetch multiplier down to 1) and shows what each costs.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from celery import Celery, group  # noqa: E402
from celery.result import ResultSet  # noqa: E402

from demo_project.app_loader import make_app  # noqa: E402
from demo_project.launch import RedisServer, Worker, demo_env  # noqa: E402

OVERRIDES_SCRIPT = Path(__file__).resolve().parent / "worker_with_overrides.py"


@dataclass
class Figures:
    label: str
    median_ms: float
    p95_ms: float
    delay_per_s: float
    group_per_s: float
    worker_cpu_ms: float  # worker processes' CPU per task during the delay() run
    client_cpu_ms: float  # this process's CPU per task during the delay() run

    def line(self) -> str:
        return (
            f"{self.label:<42} median {self.median_ms:5.2f} ms  p95 {self.p95_ms:5.2f} ms"
            f" | delay() {self.delay_per_s:5.0f}/s  group {self.group_per_s:5.0f}/s"
            f" | CPU/task worker {self.worker_cpu_ms:4.2f} ms client {self.client_cpu_ms:4.2f} ms"
        )


def group_cpu_seconds(pgid: int) -> float:
    """user+system CPU of the live processes in a process group (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def redis_benchmark(server: RedisServer, requests: int) -> str:
    done = subprocess.run(
        ["redis-benchmark", "-h", "127.0.0.1", "-p", str(server.port), "-q",
         "-t", "set,get,lpush,rpop", "-n", str(requests)],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    # -q still prints progress updates; keep the final "requests per second" lines.
    lines = [part.strip() for part in done.stdout.replace("\r", "\n").splitlines()]
    return "\n".join(f"  {line}" for line in lines if "requests per second" in line)


def round_trips(app: Celery, samples: int, warmup: int) -> list[float]:
    add = app.tasks["tasks.basic.add"]
    for _ in range(warmup):
        add.delay(1, 1).get(timeout=10)
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


def measure(label: str, worker: Worker, app: Celery, args: argparse.Namespace) -> Figures:
    with worker:
        worker.wait_ready(timeout=60)
        timings = round_trips(app, args.samples, args.warmup)
        pgid = worker.pid or -1
        worker_cpu, client_cpu = group_cpu_seconds(pgid), time.process_time()
        delay_per_s = delay_throughput(app, args.tasks)
        worker_cpu = group_cpu_seconds(pgid) - worker_cpu
        client_cpu = time.process_time() - client_cpu
        figures = Figures(
            label=label,
            median_ms=statistics.median(timings) * 1000,
            p95_ms=p95(timings) * 1000,
            delay_per_s=delay_per_s,
            group_per_s=group_throughput(app, args.group),
            worker_cpu_ms=worker_cpu * 1000 / args.tasks,
            client_cpu_ms=client_cpu * 1000 / args.tasks,
        )
    print(figures.line(), flush=True)
    return figures


def override_worker(
    env: dict[str, str], overrides: Sequence[str], extra_args: Sequence[str]
) -> Worker:
    """A worker whose app gets ``overrides`` (name=value) before it starts."""
    worker = Worker(env, concurrency=2, extra_args=extra_args)
    command = worker.command()
    # Same arguments, but run through the wrapper that edits app.conf first.
    worker.command = lambda: [  # type: ignore[method-assign]
        sys.executable, str(OVERRIDES_SCRIPT), *overrides, "--", *command[command.index("-A"):]
    ]  # fmt: skip
    return worker


NO_EVENTS = ["worker_send_task_events=0", "task_send_sent_event=0"]
BREAKDOWN: list[tuple[str, list[str], list[str]]] = [
    ("without task events (worker+sent)", NO_EVENTS, []),
    ("without task_track_started", ["task_track_started=0"], []),
    ("prefetch multiplier 1 (strict priorities)", ["worker_prefetch_multiplier=1"], []),
    ("worker --loglevel=warning", [], ["--loglevel=warning"]),
    ("plain: no events or track_started, warnings",
     [*NO_EVENTS, "task_track_started=0"],
     ["--loglevel=warning"]),
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--group", type=int, default=1000)
    parser.add_argument("--redis-requests", type=int, default=100_000)
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument("--only", help="run only the breakdown variants whose label has this")
    args = parser.parse_args()

    ratios: list[tuple[str, Figures, Figures]] = []
    print(f"load average (1, 5, 15 min) at the start: {load_average()}")
    with RedisServer() as server:
        broker, backend = server.url(0), server.url(1)
        os.environ["CELERY_BROKER_URL"], os.environ["CELERY_RESULT_BACKEND"] = broker, backend
        print(f"redis-benchmark -q -t set,get,lpush,rpop -n {args.redis_requests} (own server):")
        print(redis_benchmark(server, args.redis_requests), flush=True)
        env = demo_env(broker, backend)
        app = make_app(broker, backend, name="bench")
        print(
            f"Celery: 2-process prefork worker, {args.samples} round trips after {args.warmup}"
            f" warm-up, {args.tasks} x delay(), a group of {args.group}:"
        )
        shipped = measure("demo settings (as shipped)", Worker(env, concurrency=2), app, args)
        if args.breakdown:
            for label, overrides, extra_args in BREAKDOWN:
                if args.only and args.only not in label:
                    continue
                other = measure(label, override_worker(env, overrides, extra_args), app, args)
                ratios.append((label, shipped, other))
        app.close()
    for label, shipped, other in ratios:
        print(
            f"shipped vs {label}: round trip x{shipped.median_ms / other.median_ms:.2f},"
            f" delay() throughput x{shipped.delay_per_s / other.delay_per_s:.2f},"
            f" worker CPU/task x{shipped.worker_cpu_ms / other.worker_cpu_ms:.2f}"
        )
    print(f"load average (1, 5, 15 min) at the end: {load_average()}")


if __name__ == "__main__":
    main()
