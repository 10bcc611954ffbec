"""Cheap, blocking health probes of the demo stack. Call them off the UI thread.

Redis: PING with a short timeout. Worker: a broadcast `ping` over the broker with a short
reply timeout (skipped when Redis is down, where kombu would keep retrying). Flower: its
HTTP port answers (401 from basic auth counts as up). Beat: `beat/start.sh` holds a kernel
lock (flock) on `celerybeat.lock` for beat's whole life, so a held lock means a beat runs.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Mapping
from pathlib import Path

from demo_project import contract, launch

WORKER_PING_TIMEOUT = 0.5
# "Does any worker answer?" ends at the first answer, so it can afford to wait for a worker
# that a loaded machine makes slow (0.5 s refused cards whose worker was up).
ANY_WORKER_TIMEOUT = 2.0


def redis_reachable(url: str, timeout: float = 0.5) -> bool:
    return launch.redis_reachable(url, timeout)


def worker_names(
    broker_url: str, timeout: float = WORKER_PING_TIMEOUT, limit: int | None = None
) -> list[str]:
    """Node names of the workers answering a ping on `broker_url` (empty if none); the wait
    ends early once `limit` of them answered."""
    if broker_url.startswith("redis") and not launch.redis_reachable(broker_url):
        return []
    try:
        return launch.ping_workers(broker_url, timeout=timeout, limit=limit)
    except Exception:  # any broker trouble means "no worker we can reach"
        return []


def consumed_queues(broker_url: str, timeout: float = WORKER_PING_TIMEOUT) -> set[str]:
    """Names of the queues the workers on `broker_url` consume (empty if none answer)."""
    if broker_url.startswith("redis") and not launch.redis_reachable(broker_url):
        return set()
    from celery import Celery

    app = Celery("studyapp-probe", broker=broker_url, set_as_current=False)
    # kombu's key separator must match the demo's, or the workers choke on our bindings.
    app.conf.broker_transport_options = contract.client_transport_options()
    try:
        replies = app.control.inspect(timeout=timeout).active_queues() or {}
    except Exception:
        return set()
    finally:
        app.close()
    return {queue["name"] for queues in replies.values() for queue in queues or ()}


def worker_answers(broker_url: str, timeout: float = ANY_WORKER_TIMEOUT) -> bool:
    return bool(worker_names(broker_url, timeout, limit=1))


def http_answers(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """Whether anything answers HTTP on host:port (any status, 401 included)."""
    # Imported here: urllib.request (http.client, email) would only slow the app's start-up.
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://{host}:{port}/", timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


def beat_lock_path(env: Mapping[str, str]) -> Path:
    """Where `beat/start.sh` keeps its lock: in the demo's runtime state folder."""
    return contract.state_dir(env) / "celerybeat.lock"


def lock_held(path: Path) -> bool:
    """Whether another process holds a flock on `path` (never creates the file)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False  # no lock file: no beat started by the script has run here
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)  # ours only for an instant: beat may start now
        return False
    finally:
        os.close(fd)
