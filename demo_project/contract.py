"""The demo's contract with the study app and the tests: where it lives, how to reach it.

Everything another part needs to know about the demo, written once: its folder, the default
broker and result URLs, its queues, kombu's key separator, the environment a card command
runs in and the folder for runtime state (pid files, beat's schedule and lock, logs).
Plain Python on purpose (no Celery, kombu or redis-py): the study app imports it at start-up,
and the demo's own ``config.settings`` reads its defaults from here.
"""

from __future__ import annotations

import os
import sysconfig
from collections.abc import Mapping
from pathlib import Path

# demo_project/: every card command and start script runs with this as its working directory.
DEMO_DIR = Path(__file__).resolve().parent
# What `celery -A` names (importable as a top-level module from DEMO_DIR).
APP_MODULE = "config.celery_app"

DEFAULT_REDIS_PORT = 6379
DEFAULT_BROKER_URL = f"redis://127.0.0.1:{DEFAULT_REDIS_PORT}/0"  # task messages: db 0
DEFAULT_RESULT_BACKEND = f"redis://127.0.0.1:{DEFAULT_REDIS_PORT}/1"  # results: db 1
DEFAULT_FLOWER_PORT = 5555

# Queues the demo's tasks go to: Celery's default one and the routed `reports` queue.
DEFAULT_QUEUE = "celery"
REPORTS_QUEUE = "reports"
DEMO_QUEUES: tuple[str, ...] = (DEFAULT_QUEUE, REPORTS_QUEUE)

# kombu's Redis transport joins key parts (binding entries, priority lists such as
# `celery:3`) with this separator. Every client of the demo's broker must use the same one, or
# a worker cannot read the bindings a client wrote. ":" instead of kombu's "\x06\x16" keeps
# the keys readable in redis-cli.
KEY_SEPARATOR = ":"

# The learner's settings for the stack (copied from .env.example); honcho reads the same file.
DOTENV_PATH = DEMO_DIR / ".env"
# Defaults a card command gets when neither the environment nor .env sets them.
ENV_DEFAULTS: Mapping[str, str] = {
    "CELERY_BROKER_URL": DEFAULT_BROKER_URL,
    "CELERY_RESULT_BACKEND": DEFAULT_RESULT_BACKEND,
    "FLOWER_PORT": str(DEFAULT_FLOWER_PORT),
}

# platformdirs application name of the installed demo's state folder.
STATE_APP_NAME = "celery-srs"


def client_transport_options() -> dict[str, str]:
    """The broker transport options any client of the demo's broker needs (a bare probe
    app included): just the key separator; the rest is the worker's business."""
    return {"sep": KEY_SEPARATOR}


def in_checkout() -> bool:
    """True when the demo runs from a source checkout (not from an installed wheel)."""
    return (DEMO_DIR.parent / "pyproject.toml").is_file()


def state_dir(env: Mapping[str, str] | None = None, create: bool = False) -> Path:
    """The folder for the demo's runtime state: Redis data, beat's schedule, pid and lock
    files, logs.

    ``$DEMO_VAR_DIR`` when set (relative to DEMO_DIR, as the start scripts read it); else
    ``demo_project/var`` in a checkout (git-ignored); else the user's state folder
    (platformdirs), since an installed package's folder may not be writable.
    """
    env = os.environ if env is None else env
    configured = env.get("DEMO_VAR_DIR")
    if configured:
        folder = DEMO_DIR / configured
    elif in_checkout():
        folder = DEMO_DIR / "var"
    else:
        from platformdirs import user_state_path  # late: only installed copies need it

        folder = user_state_path(STATE_APP_NAME) / "demo"
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def venv_bin_dir() -> Path:
    """The running interpreter's scripts folder (``celery``, ``watchfiles``, ``honcho``)."""
    return Path(sysconfig.get_path("scripts"))


def dotenv_values(path: Path) -> dict[str, str]:
    """The KEY=VALUE lines of a `.env` file, parsed as honcho parses them (comments and
    blank lines skipped, quotes removed); {} when the file is missing or unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    from honcho.environ import parse  # late: only when a .env exists

    try:
        values = parse(text)
    except ValueError:  # an unbalanced quote: shlex gives up on that file
        return {}
    return {str(key): str(value) for key, value in values.items()}


def run_environment(
    overrides: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
    dotenv: Path | None = DOTENV_PATH,
) -> dict[str, str]:
    """The environment a card command (or a demo process) runs in: ``base`` (default
    os.environ), then the ``dotenv`` file (None: none) and ENV_DEFAULTS for what is still
    unset, then ``overrides``; the venv's ``bin/`` first on PATH, output unbuffered."""
    env = dict(os.environ if base is None else base)
    if dotenv is not None:
        for key, value in dotenv_values(dotenv).items():
            env.setdefault(key, value)
    for key, value in ENV_DEFAULTS.items():
        env.setdefault(key, value)
    if overrides:
        env.update(overrides)
    bin_dir = str(venv_bin_dir())
    path_parts = [p for p in env.get("PATH", os.defpath).split(os.pathsep) if p and p != bin_dir]
    env["PATH"] = os.pathsep.join([bin_dir, *path_parts])
    env.setdefault("PYTHONUNBUFFERED", "1")  # output streams line by line
    return env
