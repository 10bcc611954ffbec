"""``python -m demo_project.client COMMAND`` (console script: ``celery-demo``).

Each command runs one example against the demo's broker and prints what a learner should
see. Exit status: 0 when the example behaved as it should (even a task that is meant to fail),
1 on an unexpected outcome, 2 when Redis is unreachable, 3 when no worker answers or takes
the task in time, 130 on Ctrl-C. Errors are one ``error: ...`` line, never a traceback.
"""

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import redis
from celery.exceptions import TimeoutError as CeleryTimeoutError
from kombu.exceptions import OperationalError

from demo_project.client import calling, composing, failures, workers
from demo_project.client.report import DemoError
from demo_project.client.session import Session
from demo_project.signals import exit_on_sigterm


@dataclass(frozen=True)
class Command:
    run: Callable[[Session], None]
    help: str
    needs_worker: bool = True


COMMANDS: dict[str, Command] = {
    "ping": Command(workers.ping, "ping every worker", needs_worker=False),
    "delay": Command(calling.delay, "add.delay(2, 3) and its result"),
    "apply-async": Command(calling.apply_async, "apply_async with countdown and priority"),
    "send-task": Command(calling.send_task, "send a task by its name"),
    "inspect-result": Command(calling.inspect_result, "AsyncResult id/ready()/get()/state"),
    "states": Command(calling.states, "watch PENDING -> STARTED -> SUCCESS"),
    "slow": Command(calling.slow, "a slow task: the call returns at once"),
    "log": Command(calling.log_message, "a task that prints and logs in the worker"),
    "signature": Command(composing.signature, "a signature and a partial"),
    "chain": Command(composing.chain, "a chain of tasks"),
    "group": Command(composing.group, "a group of tasks in parallel"),
    "chord": Command(composing.chord, "a group plus a callback"),
    "failing": Command(failures.failing, "a task that raises"),
    "retrying": Command(failures.retrying, "retries with exponential backoff, then giving up"),
    "time-limit": Command(failures.time_limit, "soft and hard time limits"),
    "revoke": Command(failures.revoke, "revoke a running task"),
    "unregistered": Command(failures.unregistered, "send an unknown task name"),
    "route": Command(workers.route, "a task routed to the 'reports' queue"),
    "priority": Command(
        workers.priority, "priorities decide the order (own worker)", needs_worker=False
    ),
    "offline": Command(
        workers.offline, "tasks sent while no worker runs are kept (own worker)", needs_worker=False
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="celery-demo",
        description="Run one Celery example against the demo project's Redis and workers.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, command in COMMANDS.items():
        sub.add_parser(name, help=command.help)
    return parser


def run(name: str) -> None:
    command = COMMANDS[name]
    session = Session.open()
    session.check_redis()
    if command.needs_worker:
        session.ping_workers()
    command.run(session)


def main(argv: Sequence[str] | None = None) -> int:
    exit_on_sigterm()  # `offline`/`priority` start their own worker; stopping us stops it too
    args = build_parser().parse_args(argv)
    try:
        run(args.command)
    except DemoError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return exc.exit_code
    except CeleryTimeoutError:
        print("error: timed out waiting for a result: is a worker running?", file=sys.stderr)
        return 3
    except (OperationalError, redis.ConnectionError, ConnectionError) as exc:
        print(f"error: lost the connection to Redis: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the promise is one line, never a traceback
        print(f"error: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
