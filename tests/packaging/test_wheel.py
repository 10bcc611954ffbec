"""The package as a user installs it: sdist -> wheel -> a fresh virtualenv, used from an empty
folder with no checkout in sight.

The fresh venv reuses this test environment's dependencies through a `.pth` line (as
`--system-site-packages` would for a system Python), so nothing is downloaded; the wheel
itself is installed with `--no-deps`. Processes run with a private HOME, so the user data
folder is a temporary one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from deckgen.cardformat.card_types import study_cards
from deckgen.cardformat.load import load
from deckgen.course import checkout_cards
from deckgen.version import package_version
from demo_project.launch import RedisServer

REPO = Path(__file__).resolve().parents[2]
COURSE = checkout_cards()
assert COURSE is not None, "these tests build from a checkout"
REDIS_ONLY_CARD = "broker-role"  # `python -m lessons.queue_in_redis`: Redis, no worker


@dataclass(frozen=True)
class Installed:
    venv: Path
    site_packages: Path
    wheel_names: list[str]
    sdist_names: list[str]
    home: Path
    workdir: Path

    def env(self, **extra: str) -> dict[str, str]:
        # Neither the checkout nor this test env's scripts are reachable: only the new venv.
        here = str(Path(sys.executable).parent)
        path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != here]
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("CELERY_", "STUDYAPP_", "XDG_", "PYTHON", "VIRTUAL_ENV"))
        }
        env.update(PATH=os.pathsep.join([str(self.venv / "bin"), *path]), HOME=str(self.home))
        env.update(extra)
        return env

    def run(
        self, *argv: str, timeout: float = 120, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.venv / "bin" / argv[0]), *argv[1:]],
            cwd=self.workdir,
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )


def _files_below(folder: Path) -> dict[str, int]:
    """Every file (bytecode caches aside: pip compiles them at install) and its mtime."""
    return {
        str(path.relative_to(folder)): path.stat().st_mtime_ns
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("packaging")
    dist = root / "dist"
    # The sdist through setuptools' PEP 517 hook, the wheel from that sdist (as `python -m
    # build` does): the wheel can only hold the course if the sdist carries it.
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"from setuptools import build_meta; build_meta.build_sdist({str(dist)!r})",
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    (sdist,) = dist.glob("*.tar.gz")
    pip = [sys.executable, "-m", "pip"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(sdist)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site_packages = next((venv / "lib").glob("python3*/site-packages"))
    (site_packages / "test-env-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run(
        [
            *pip,
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    with tarfile.open(sdist) as archive:
        sdist_names = [name.split("/", 1)[1] for name in archive.getnames() if "/" in name]
    with zipfile.ZipFile(wheel) as archive:
        wheel_names = archive.namelist()
    (root / "home").mkdir()
    (root / "empty").mkdir()
    yield Installed(venv, site_packages, wheel_names, sdist_names, root / "home", root / "empty")


def test_archives_hold_the_package_and_the_course_and_nothing_else(installed: Installed) -> None:
    course = sorted(str(p.relative_to(COURSE)) for p in COURSE.rglob("*") if p.is_file())
    bundled = sorted(
        n.removeprefix("deckgen/course/")
        for n in installed.wheel_names
        if n.startswith("deckgen/course/")
    )
    assert bundled == course
    for start in (
        "demo_project/Procfile",
        "demo_project/worker/start.sh",
        "demo_project/redis/redis.conf",
    ):
        assert start in installed.wheel_names
    tops = {name.split("/")[0] for name in installed.wheel_names}
    assert tops == {
        "deckgen",
        "studyapp",
        "demo_project",
        f"celery_srs-{package_version()}.dist-info",
    }
    unwanted = ("tests/", ".venv", "__pycache__", ".pyc", "var/", ".env", "cache/", ".apkg")
    wanted_env = "demo_project/.env.example"
    for name in installed.wheel_names + installed.sdist_names:
        assert name == wanted_env or not any(part in name for part in unwanted), name
    assert {"setup.py", "pyproject.toml", "LICENSE", "README.md"} <= set(installed.sdist_names)
    assert {n.split("/")[0] for n in installed.sdist_names} <= {
        "cards",
        "deckgen",
        "studyapp",
        "demo_project",
        "celery_srs.egg-info",
        "setup.py",
        "setup.cfg",
        "pyproject.toml",
        "LICENSE",
        "README.md",
        "MANIFEST.in",
        "PKG-INFO",
    }


def test_versions_and_the_demo_client(installed: Installed) -> None:
    for tool in ("studyapp", "deckgen"):
        result = installed.run(tool, "--version")
        assert (result.returncode, result.stdout) == (0, f"{tool} {package_version()}\n")
    result = installed.run("celery-demo", "--help")
    assert result.returncode == 0 and "usage" in result.stdout.lower(), result.stderr


def test_studyapp_and_deckgen_use_the_bundled_course_from_anywhere(
    installed: Installed, tmp_path: Path
) -> None:
    course = load([COURSE]).cards
    course_ids = sorted(card.id for card in course)
    # A reversed card and each cloze deletion study as cards of their own, as in Anki.
    study_count = sum(len(study_cards(card)) for card in course)
    stats = installed.run("studyapp", "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    by_state = json.loads(stats.stdout)["by_state"]
    assert by_state["new"] == study_count and sum(by_state.values()) == study_count
    # The progress went to the user data folder under HOME, not next to the package.
    assert list(installed.home.rglob("progress.sqlite3"))

    listing = installed.run("deckgen", "list", "--json")
    assert listing.returncode == 0, listing.stderr
    listed = json.loads(listing.stdout)
    assert sorted(card["id"] for card in listed) == course_ids
    assert all(str(installed.site_packages) in card["location"] for card in listed)

    package = installed.workdir / "celery.apkg"
    build = installed.run("deckgen", "build", "-o", package.name)
    assert build.returncode == 0, build.stderr
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        request = ImportAnkiPackageRequest(
            package_path=str(package), options=ImportAnkiPackageOptions()
        )
        log = col.import_anki_package(request).log
        assert len(log.new) == len(course_ids)
        assert col.note_count() == len(course_ids)
    finally:
        col.close()


def test_a_card_command_runs_in_the_installed_demo_without_writing_there(
    installed: Installed,
) -> None:
    before = _files_below(installed.site_packages)
    with RedisServer() as server:
        result = installed.run(
            "studyapp",
            "run",
            REDIS_ONLY_CARD,
            "--yes",
            CELERY_BROKER_URL=server.url(0),
            CELERY_RESULT_BACKEND=server.url(1),
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "-- expect passed" in result.stderr, result.stderr
    assert _files_below(installed.site_packages) == before


def test_start_scripts_keep_their_state_in_the_user_state_folder(installed: Installed) -> None:
    """Redis and beat started by the installed scripts: data, schedule, pid and lock files go
    to the user's state folder (under HOME), never into site-packages."""
    import signal

    from demo_project.launch import free_port, redis_reachable

    demo = installed.site_packages / "demo_project"
    before = _files_below(installed.site_packages)
    port = free_port()
    env = installed.env(REDIS_PORT=str(port), DEMO_ENV="production")
    # The fresh venv borrows its dependencies, so their commands (celery) come from this test
    # env's bin/, after the tool's own: the PATH a card command gets (venv first).
    env["PATH"] = os.pathsep.join([env["PATH"], str(Path(sys.executable).parent)])
    started: list[subprocess.Popen[bytes]] = []

    def start(script: str) -> None:
        started.append(
            subprocess.Popen(
                ["bash", str(demo / script)],
                cwd=installed.workdir,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )

    state = installed.home / ".local" / "state" / "celery-srs" / "demo"
    try:
        start("redis/start.sh")
        deadline = time.monotonic() + 20
        while not redis_reachable(f"redis://127.0.0.1:{port}/0") and time.monotonic() < deadline:
            time.sleep(0.1)
        start("beat/start.sh")
        while not (state / "celerybeat.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (state / "celerybeat.pid").exists(), "beat did not start"
        assert (state / "celerybeat.lock").exists() and (state / "redis").is_dir()
    finally:
        for process in started:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
    assert _files_below(installed.site_packages) == before
