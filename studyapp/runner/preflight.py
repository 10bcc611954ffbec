"""Before running a card's command: is the part of the stack it needs up?

Rules, kept simple on purpose:
- A command needs Redis when it names `celery`, `flower`, `redis-cli`, the demo `client`,
  a worker/beat start script, or the broker variable; a card tagged `needs-redis` always
  does, `no-redis` never does.
- A card needs a worker when it says so with the tag `needs-worker`. It is declared, not
  guessed from the command text: a guess missed `python -m demo_project.client ...` and
  let 32 cards run into a 3.5 s Expect failure instead of this check. The card tests hold
  the tags to the demo client's own per-command `needs_worker` declaration.
The answer is one line saying what is missing and how to start it (the start script's path
as the learner can type it, and how to install Redis), or None.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from demo_project.contract import DEFAULT_BROKER_URL, DEMO_DIR
from studyapp.runner import probes

REDIS_INSTALL_HINT = (
    "no Redis installed? Debian/Ubuntu: sudo apt-get install redis-server; "
    "macOS: brew install redis"
)


def start_script_hint(script: str) -> str:
    """`bash demo_project/<script>` from a checkout's root, else the script's full path (an
    installed package's demo lives in site-packages)."""
    here = Path.cwd() / "demo_project"
    if here.is_dir() and here.resolve() == DEMO_DIR.resolve():
        return f"bash demo_project/{script}"
    return f"bash {DEMO_DIR / script}"


# How the two messages begin, so a screen can tell which part it waits for.
REDIS_DOWN = "Redis is not reachable"
NO_WORKER = "No Celery worker answers"


def redis_down_message(broker: str) -> str:
    hint = start_script_hint("redis/start.sh")
    return f"{REDIS_DOWN} at {broker}; start it with: {hint} ({REDIS_INSTALL_HINT})"


_REDIS_WORDS = re.compile(
    r"\b(celery|flower|redis-cli|client|CELERY_BROKER_URL|worker/start|beat/start)\b"
)
NEEDS_WORKER_TAG = "needs-worker"


def needs_redis(command: str, tags: Sequence[str] = ()) -> bool:
    if "no-redis" in tags:
        return False
    if "needs-redis" in tags or _REDIS_WORDS.search(command):
        return True
    return needs_worker(tags)


def needs_worker(tags: Sequence[str]) -> bool:
    return NEEDS_WORKER_TAG in tags


@dataclass(frozen=True)
class PreflightProbes:
    """Injectable so the UI can pass cached answers; defaults hit the stack."""

    redis: Callable[[str], bool] = probes.redis_reachable
    worker: Callable[[str], bool] = probes.worker_answers


def preflight(
    command: str,
    env: Mapping[str, str],
    tags: Sequence[str] = (),
    worker_hint: str = "",
    checks: PreflightProbes | None = None,
) -> str | None:
    """One line naming what is missing, or None when the command can run."""
    checks = checks if checks is not None else PreflightProbes()
    broker = env.get("CELERY_BROKER_URL", DEFAULT_BROKER_URL)
    if needs_redis(command, tags) and broker.startswith("redis") and not checks.redis(broker):
        return redis_down_message(broker)
    if needs_worker(tags) and not checks.worker(broker):
        hint = worker_hint or start_script_hint("worker/start.sh")
        return f"{NO_WORKER} on {broker}; start one with: {hint}"
    return None
