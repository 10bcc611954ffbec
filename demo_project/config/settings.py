"""Celery settings of the demo, written with Django's ``CELERY_`` namespace.

Every name here is ``CELERY_`` + the upper-cased Celery 5 setting name (``CELERY_TASK_ROUTES`` is
``task_routes``), the same convention Django projects use, so the environment variables a learner
sets (``CELERY_BROKER_URL``, ...) carry the very names of the settings they feed.
Values come from the environment with safe local defaults. The app reads ``CELERY`` at the
bottom: the same settings under Celery's own names (config/celery_app.py says why).
"""

import os

from celery.schedules import crontab

from demo_project import contract


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# --- connections -------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", contract.DEFAULT_BROKER_URL)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", contract.DEFAULT_RESULT_BACKEND)
# CELERY_FLOWER_USER / CELERY_FLOWER_PASSWORD are not Celery settings: flower/start.sh reads
# them from the environment for Flower's basic auth.
# Retry the broker connection at start-up too, so a worker started just before Redis waits.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- serialization: JSON only (readable in redis-cli, no pickle code execution) ---------
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_ACCEPT_CONTENT = ["json"]

# --- visibility of what happens ----------------------------------------------------------
# Without this a running task still reads PENDING; with it the worker stores STARTED.
CELERY_TASK_TRACK_STARTED = True
# Events let Flower (and `celery events`) follow tasks: sent by workers and by the caller.
# (CELERY_WORKER_SEND_TASK_EVENTS=false in the environment: a worker that sends none until
# `celery control enable_events`, for the lesson about that command.)
CELERY_WORKER_SEND_TASK_EVENTS = os.environ.get("CELERY_WORKER_SEND_TASK_EVENTS") != "false"
CELERY_TASK_SEND_SENT_EVENT = True

# --- time ------------------------------------------------------------------------------
# The zone beat reads crontab entries in ("every Monday at 7:30" fires at 07:30 there) and
# workers show times in. Celery's own default is UTC too; stating it makes the choice visible
# (`celery -A config.celery_app report` shows it). Any IANA name: CELERY_TIMEZONE=Europe/Paris.
CELERY_TIMEZONE = os.environ.get("CELERY_TIMEZONE") or "UTC"

# --- time limits (the time-limit demo task sets tighter ones of its own) ------------------
CELERY_TASK_SOFT_TIME_LIMIT = 240  # raises SoftTimeLimitExceeded inside the task
CELERY_TASK_TIME_LIMIT = 300  # then the pool process running it is killed

# Results are kept one day: long enough to inspect a task id from yesterday's session,
# short enough that demo runs do not pile up in Redis (Celery's own default is also 1 day,
# stated here so the choice is visible).
CELERY_RESULT_EXPIRES = 24 * 60 * 60

# --- Redis broker transport ---------------------------------------------------------------
# An unacknowledged message is handed to another worker after the visibility timeout, so it
# must exceed every countdown/ETA the demo uses (a few seconds) and every task's run time
# (at most CELERY_TASK_TIME_LIMIT). Tests that prove redelivery after SIGKILL shorten it
# through CELERY_VISIBILITY_TIMEOUT.
VISIBILITY_TIMEOUT = _env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
# Priorities keep kombu's defaults: a task sent without one waits in the list named after its
# queue (`redis-cli llen celery`); the priority example sends to a queue of its own.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": VISIBILITY_TIMEOUT,
    # Joins key parts such as `celery:3` (a priority list): ":" reads better in redis-cli than
    # kombu's two control characters. Every client of this broker must use the same.
    "sep": contract.KEY_SEPARATOR,
    # How often a worker sweeps for messages past the visibility timeout: every
    # interval x throttle seconds (kombu's defaults, 10 x 10). The ETA lesson sweeps every
    # second, to show within seconds what happens after an hour in production.
    "unacked_restore_interval": _env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": _env_int("CELERY_UNACKED_RESTORE_THROTTLE", 10),
}
# No result_backend_transport_options: the Redis result backend has no unacked messages,
# so a visibility timeout would mean nothing there.

# Messages a worker reserves per pool process. 4 is Celery's default, stated here because it
# is a trade-off: fewer broker round trips (more throughput, see bench/celery_bench.py), but a
# worker holding reserved messages runs them in arrival order, whatever their priority. The
# priority example (`celery-demo priority`) therefore runs its own worker with
# --prefetch-multiplier 1, which makes the order strict.
CELERY_WORKER_PREFETCH_MULTIPLIER = 4

# --- routing: the report task goes to its own queue, served by a second worker -------------
CELERY_TASK_ROUTES = {
    "tasks.advanced.build_report": {"queue": "reports"},
}

# --- beat -------------------------------------------------------------------------------
HEARTBEAT_SECONDS = float(os.environ.get("CELERY_DEMO_HEARTBEAT_SECONDS", "10"))
CELERY_BEAT_SCHEDULE = {
    "heartbeat-interval": {
        "task": "tasks.periodic.heartbeat",
        "schedule": HEARTBEAT_SECONDS,
        "args": ("beat",),
        "kwargs": {"note": "interval entry"},
    },
    "weekly-report-monday-0730": {
        "task": "tasks.periodic.weekly_summary",
        "schedule": crontab(hour=7, minute=30, day_of_week=1),
        "args": ("celery-learners",),
        "kwargs": {"include_failures": True},
    },
}
# The schedule file (last run times) lives in the demo's runtime state folder (var/ in a
# checkout) unless overridden. Beat opens it before any hook runs, and a plain
# `celery -A config.celery_app beat` (no start script) needs its folder too: hence create=True.
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get(
    "CELERY_BEAT_SCHEDULE_FILE", str(contract.state_dir(create=True) / "celerybeat-schedule")
)

# Celery's own names for every CELERY_ setting above: CELERY_TASK_ROUTES -> task_routes, exactly
# the mapping config_from_object(..., namespace="CELERY") applies.
CELERY = {
    name.removeprefix("CELERY_").lower(): value
    for name, value in dict(globals()).items()
    if name.startswith("CELERY_")
}
