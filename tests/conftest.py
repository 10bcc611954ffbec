"""For every test: the card cache (deckgen.cardformat.cache) in a folder of this run, never
the user's, and removed afterwards (processes the tests start inherit it); and its tier
markers (slow, redis, worker, anki), from what it uses."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from deckgen.cardformat.cache import CACHE_DIR_ENV


def pytest_configure(config: pytest.Config) -> None:
    os.environ[CACHE_DIR_ENV] = tempfile.mkdtemp(prefix="celery-srs-test-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ.pop(CACHE_DIR_ENV, ""), ignore_errors=True)


# --- Tiers -----------------------------------------------------------------------------------
# Every test is marked by what it uses, found from its fixtures, its folder and the names its
# module imports, so a new test lands in the right tier without a line of its own:
#   redis   starts a redis-server;  worker  starts Celery worker processes (and a Redis);
#   anki    drives the official `anki` library;
#   slow    any redis, worker or anki test (an Anki collection takes a second or more to
#           set up), any test driving a Textual app (Pilot, snapshots),
#           and the folders and modules listed in SLOW_MODULES.
# The markers are registered in pyproject.toml; `pytest -m "not slow"` is the fast tier.
REDIS_FIXTURES = {"redis_server", "demo_env", "demo_app", "running_stack"}
WORKER_FIXTURES = {"worker", "module_worker", "running_stack"}
ANKI_FIXTURES = {"studied_anki", "learner", "opened", "collection", "imported_course"}
ANKI_FOLDERS = {"ankisync"}
# Folders and modules whose tests take seconds each (whole-course builds and Anki imports,
# the demo's processes, a wheel build, property tests, real app processes), measured with
# --durations on the shared 2-core machine.
SLOW_MODULES = {
    "cards",
    "demo",
    "packaging",
    "deckgen/test_deckgen_property.py",
    "deckgen/test_deckgen_fingerprint.py",
    "studyapp/test_scheduler_anki_parity.py",
    "runner/test_runner_ctrl_c.py",
    "runner/test_runner_verify.py",
    "runner/test_verify_trust.py",
    "runner/test_run_redis_hint.py",
    "studyapp/test_crash_sigkill.py",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for marker in sorted(tiers_of(item)):
            item.add_marker(marker)


def tiers_of(item: pytest.Item) -> set[str]:
    from demo_project.launch import RedisServer, Worker

    fixtures = set(getattr(item, "fixturenames", ()))
    module = getattr(item, "module", None)
    names = list(vars(module).values()) if module is not None else []
    relative = item.path.relative_to(item.config.rootpath / "tests").as_posix()
    folder = relative.split("/", 1)[0]
    tiers = set()
    if fixtures & REDIS_FIXTURES or any(value is RedisServer for value in names):
        tiers.add("redis")
    if fixtures & WORKER_FIXTURES or any(value is Worker for value in names):
        tiers |= {"worker", "redis"}
    if (
        fixtures & ANKI_FIXTURES
        or folder in ANKI_FOLDERS
        or any(_from_anki(value) for value in names)
    ):
        tiers.add("anki")
    drives_an_app = any(_is_textual_app(value) for value in names)  # Pilot: seconds a test
    if (
        tiers & {"redis", "worker", "anki"}
        or drives_an_app
        or "snap_compare" in fixtures
        or folder in SLOW_MODULES
        or relative in SLOW_MODULES
    ):
        tiers.add("slow")
    return tiers


def _is_textual_app(value: object) -> bool:
    from textual.app import App

    return isinstance(value, type) and issubclass(value, App)


def _from_anki(value: object) -> bool:
    home = getattr(value, "__module__", None) or getattr(value, "__name__", "")
    return isinstance(home, str) and (home == "anki" or home.startswith("anki."))
