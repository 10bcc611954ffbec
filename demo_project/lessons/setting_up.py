"""Setting up: one sub-command per card of ``cards/Celery/02-setting-up.md``.

``python -m lessons.setting_up find-app``      where ``celery -A proj`` finds a package's app
``python -m lessons.setting_up app-option``    what ``-A`` hands every sub-command
``python -m lessons.setting_up loglevel``      what a worker logs at ``-l info`` and at its default
``python -m lessons.setting_up broker-option`` ``-b`` beats the configured broker_url
``python -m lessons.setting_up concurrency``   the pool size of a worker started without ``-c``

Each runs the real ``celery`` command (in a scratch folder where it needs a project of its own)
and prints only what proves its card; scratch folders and Redis keys are removed afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from celery import Celery
from config.celery_app import app
from lessons.idle_queue import broker_client, idle_queue
from lessons.subcommands import run_subcommand

from demo_project import contract
from demo_project.launch import Worker, ping_workers, stop_group
from demo_project.signals import exit_on_sigterm

CELERY = str(contract.venv_bin_dir() / "celery")


def celery(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run ``celery ARGS`` to the end; its stdout and stderr together."""
    done = subprocess.run(
        [CELERY, *args],
        cwd=cwd or contract.DEMO_DIR,
        env=env or dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.stdout + done.stderr


@contextmanager
def celery_worker(args: list[str], nodename: str, timeout: float = 30.0) -> Iterator[Path]:
    """A ``celery ARGS`` worker process (cwd ``demo_project/``) until it answers a ping;
    yields its log file, stops its process group on leaving."""
    with tempfile.TemporaryDirectory(prefix="lesson-worker-") as scratch:
        log = Path(scratch) / "worker.log"
        with log.open("w") as out:
            worker = subprocess.Popen(
                [CELERY, *args, "-n", nodename, "--without-mingle", "--without-gossip"],
                cwd=contract.DEMO_DIR,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + timeout
            while not ping_workers(str(app.conf.broker_url), [nodename], timeout=0.5):
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"worker did not start:\n{log.read_text()[-1500:]}")
                time.sleep(0.1)
            yield log
        finally:
            stop_group(worker)


@contextmanager
def workers_started_together(specs: list[tuple[str, str, list[str]]]) -> Iterator[list[Worker]]:
    """Private workers, one per (queue, nodename, extra args), started at the same time
    (their start-up overlaps instead of adding up) and stopped on leaving."""
    env = contract.run_environment()
    workers = [
        Worker(env, queues=[queue], concurrency=2, name=name, extra_args=extra)
        for queue, name, extra in specs
    ]
    with ExitStack() as stack:
        for worker in workers:
            stack.enter_context(worker)
        for worker in workers:
            worker.wait_ready(timeout=30)
        yield workers


def find_app() -> int:
    with tempfile.TemporaryDirectory(prefix="lesson-find-app-") as scratch:
        package = Path(scratch) / "shopproj"
        package.mkdir()
        (package / "__init__.py").write_text("")  # empty: no `from .celery import app`
        (package / "celery.py").write_text(
            "from celery import Celery\n\n"
            'app = Celery("shopproj", broker="memory://")\n'
            'app.conf.task_default_queue = "found-in-shopproj-celery"\n'
        )
        print("shopproj/__init__.py is empty; shopproj/celery.py defines app = Celery(...)")
        report = celery(["-A", "shopproj", "report"], cwd=Path(scratch))
    found = [line for line in report.splitlines() if line.startswith("task_default_queue")]
    print(f"celery -A shopproj report: {found[0] if found else report.strip()[-300:]}")
    return 0 if found else 1


def app_option() -> int:
    report = celery(["-A", "config.celery_app", "report"])
    wanted = ("broker_connection_retry_on_startup:", "result_accept_content:")
    lines = [line for line in report.splitlines() if line.startswith(wanted)]
    print("celery -A config.celery_app report: settings of the demo's app, e.g.")
    for line in lines:
        print(f"  {line}")
    default = Celery(set_as_current=False).conf
    print("Celery's default app has neither: "
          f"broker_connection_retry_on_startup={default.broker_connection_retry_on_startup},"
          f" result_accept_content={default.result_accept_content}")  # fmt: skip
    return 0


def loglevel() -> int:
    broker_url = str(app.conf.broker_url)
    levels = ("info", "warning")
    with ExitStack() as stack:
        queues = [stack.enter_context(idle_queue(broker_url, prefix="lesson-log")) for _ in levels]
        pairs = zip(queues, levels, strict=True)
        specs = [(q, f"{q}@lesson", [f"--loglevel={lv}"]) for q, lv in pairs]
        workers = stack.enter_context(workers_started_together(specs))
        for queue in queues:
            app.send_task("tasks.basic.add", args=(2, 3), queue=queue).get(timeout=20)
        time.sleep(0.3)  # let the workers write their log lines
        logs = [worker.output().splitlines() for worker in workers]
    for level, log in zip(levels, logs, strict=True):
        ours = [line for line in log if "Task tasks.basic.add[" in line]
        received = sum("] received" in line for line in ours)
        succeeded = sum("succeeded in" in line for line in ours)
        print(f"-l {level}: lines 'Task ... received' {received}, 'Task ... succeeded in'"
              f" {succeeded}")  # fmt: skip
    return 0


def broker_option() -> int:
    demo_url = str(app.conf.broker_url).rsplit("/", 1)[0]  # the demo's Redis, without the db
    queue = f"lesson-b-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    with tempfile.TemporaryDirectory(prefix="lesson-broker-option-") as scratch:
        Path(scratch, "fixed_broker.py").write_text(
            f"from celery import Celery\n\napp = Celery('fixed', broker='{demo_url}/3')\n"
        )
        print("fixed_broker.py configures broker_url = redis://.../3")
        plain = ["-A", "fixed_broker", "call", "lesson.noop", "--queue", queue]
        celery(["-b", f"{demo_url}/5", *plain], cwd=Path(scratch), env=env)
    counts = []
    for db in (3, 5):
        client = broker_client(f"{demo_url}/{db}")
        counts.append(f"db {db}: {client.llen(queue)}")
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
        client.close()
    print("sent with `celery -b redis://.../5 -A fixed_broker call ...`")
    print("messages in the queue, per Redis database: " + ", ".join(counts))
    return 0


def concurrency() -> int:
    with idle_queue(str(app.conf.broker_url), prefix="lesson-conc") as queue:
        name = f"{queue}@lesson"
        args = ["-A", "config.celery_app", "worker", "-Q", queue, "-l", "warning"]
        with celery_worker(args, name):
            stats = app.control.inspect([name], timeout=5).stats() or {}
    pool = stats.get(name, {}).get("pool", {})
    print(f"worker started without --concurrency: {pool.get('max-concurrency')} pool processes")
    print(f"CPUs on this machine (os.cpu_count()): {os.cpu_count()}")
    print(f"one pool process per CPU: {pool.get('max-concurrency') == os.cpu_count()}")
    return 0


COMMANDS: dict[str, Callable[[], int]] = {
    "find-app": find_app,
    "app-option": app_option,
    "loglevel": loglevel,
    "broker-option": broker_option,
    "concurrency": concurrency,
}


def main(argv: list[str]) -> int:
    return run_subcommand("lessons.setting_up", COMMANDS, argv)


if __name__ == "__main__":
    exit_on_sigterm()
    sys.exit(main(sys.argv[1:]))
