"""Start the demo worker with some settings changed (used by celery_bench.py).

    python ../bench/worker_with_overrides.py task_track_started=false -- -A config.celery_app worker

Run with cwd demo_project/. Each override is ``name=<JSON value>``; a dotted name changes one
key of a dict setting (``broker_transport_options.priority_steps=[0,3,6,9]``). ``0``/``1``
serve as booleans too. ``--reuse-redis-client`` first applies the bench-only kombu patch of
``reused_redis_clients`` (see there).
"""

import json
import sys
from collections.abc import Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo_project"
REUSE_FLAG = "--reuse-redis-client"


def apply_overrides(conf: MutableMapping[str, Any], overrides: Sequence[str]) -> None:
    """Apply ``name=<JSON>`` items to a Celery app's ``conf``."""
    for item in overrides:
        name, raw = item.split("=", 1)
        value = json.loads(raw)
        setting, _, key = name.partition(".")
        if key:
            # A copy: the dict may be the settings module's own object, shared with other apps.
            conf[setting] = {**(conf[setting] or {}), key: value}
        else:
            conf[setting] = value


@contextmanager
def reused_redis_clients() -> Iterator[None]:
    """Bench-only patch: kombu's Redis channel builds a new redis-py client object for every
    synchronous command (each publish, each ack, each delivery's unacked record) and redis-py
    fills a ~170-entry response-callback table in every constructor. This makes the channel
    reuse one client (same connection pool, so the same connections) to show what that costs.
    Not used by the demo itself."""
    from kombu.transport import redis as kombu_redis

    original = kombu_redis.Channel.conn_or_acquire

    @contextmanager
    def conn_or_acquire(self: Any, client: Any = None) -> Iterator[Any]:
        if client:
            yield client
            return
        reused = self.__dict__.get("_bench_sync_client")
        if reused is None:
            reused = self.__dict__["_bench_sync_client"] = self._create_client()
        yield reused

    kombu_redis.Channel.conn_or_acquire = conn_or_acquire  # type: ignore[method-assign]
    try:
        yield
    finally:
        kombu_redis.Channel.conn_or_acquire = original  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    split = argv.index("--")
    options, celery_args = argv[:split], argv[split + 1 :]
    reuse = REUSE_FLAG in options
    sys.path.insert(0, str(DEMO_DIR))
    from config.celery_app import app

    apply_overrides(app.conf, [item for item in options if item != REUSE_FLAG])
    # Drop "-A config.celery_app": the app object is given directly.
    if celery_args[:1] == ["-A"]:
        celery_args = celery_args[2:]
    if reuse:
        with reused_redis_clients():
            app.worker_main(celery_args)
    else:
        app.worker_main(celery_args)


if __name__ == "__main__":
    main(sys.argv[1:])
