"""The start scripts themselves: Redis start-up and reuse, refusals, development auto-restart."""

import re
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import psutil
import pytest
import redis
from script_procs import ScriptProcess, run_script, script_env, wait_until

from demo_project.contract import DEMO_DIR
from demo_project.launch import RedisServer, free_port, ping_workers, redis_reachable

SERVICE_SCRIPTS = ["worker/start.sh", "beat/start.sh", "flower/start.sh", "redis/start.sh"]


def test_redis_script_serves_the_project_config_and_reuses_a_running_redis(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = script_env(port, tmp_path / "var")
    server = ScriptProcess("redis/start.sh", env, tmp_path / "server.log")
    second = ScriptProcess("redis/start.sh", env, tmp_path / "second.log")
    try:
        server.start()
        wait_until(lambda: redis_reachable(f"redis://127.0.0.1:{port}/0"), 10, "redis")
        # exec: the script's own process became redis-server, so signals reach the server.
        assert psutil.Process(server.pid).name() == "redis-server"
        client = redis.Redis(port=port)
        info = client.info("server")
        assert info["config_file"] == str(DEMO_DIR / "redis" / "redis.conf")
        assert client.config_get("bind") == {"bind": "127.0.0.1"}
        assert client.config_get("dir") == {"dir": str(tmp_path / "var" / "redis")}
        client.close()

        second.start()
        second.wait_for_output(rf"already answers on 127\.0\.0\.1:{port}; using it", 10)
        time.sleep(0.5)
        assert second.running(), "the script must keep a foreground process under honcho"
        assert "in use" not in second.output()
    finally:
        second.stop()
        server.stop()


def test_redis_script_works_with_a_relative_data_folder(tmp_path: Path) -> None:
    # The default DEMO_VAR_DIR is the relative "var": Redis has already changed into the
    # config's dir when it reads --dir, so the script must hand it an absolute path.
    port = free_port()
    relative = f"var/test-{uuid.uuid4().hex[:8]}"
    env = script_env(port, tmp_path / "unused")
    env["DEMO_VAR_DIR"] = relative
    server = ScriptProcess("redis/start.sh", env, tmp_path / "server.log")
    try:
        server.start()
        wait_until(lambda: redis_reachable(f"redis://127.0.0.1:{port}/0"), 10, "redis")
        client = redis.Redis(port=port)
        assert client.config_get("dir") == {"dir": str(DEMO_DIR / relative / "redis")}
        client.close()
    finally:
        server.stop()
        shutil.rmtree(DEMO_DIR / relative, ignore_errors=True)


def test_redis_script_names_the_package_when_redis_server_is_missing(tmp_path: Path) -> None:
    env = script_env(free_port(), tmp_path / "var", REDIS_SERVER="/nonexistent/redis-server")
    result = run_script("redis/start.sh", env)
    assert result.returncode == 127
    assert result.stderr.strip().splitlines() == [
        "redis/start.sh: /nonexistent/redis-server not found;"
        " install it with: sudo apt-get install redis-server (Debian/Ubuntu)"
        " or brew install redis (macOS)"
    ]


@pytest.mark.parametrize(
    "credentials",
    [{}, {"CELERY_FLOWER_USER": "admin"}, {"CELERY_FLOWER_PASSWORD": "secret"}],
    ids=["none", "user-only", "password-only"],
)
def test_flower_refuses_to_start_without_credentials(
    tmp_path: Path, credentials: dict[str, str]
) -> None:
    result = run_script("flower/start.sh", script_env(free_port(), tmp_path, **credentials))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "CELERY_FLOWER_USER" in lines[0] and "CELERY_FLOWER_PASSWORD" in lines[0]
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("script", SERVICE_SCRIPTS)
def test_scripts_reject_an_unknown_mode(tmp_path: Path, script: str) -> None:
    result = run_script(script, script_env(free_port(), tmp_path, DEMO_ENV="staging"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"{script}: DEMO_ENV must be 'development' or 'production', not 'staging'"
    )


def test_development_worker_restarts_on_a_python_change_only(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    # A private copy of demo_project, so the edits below never touch the real tree or restart
    # anybody else's development worker.
    project = tmp_path / "demo_project"
    shutil.copytree(DEMO_DIR, project, ignore=shutil.ignore_patterns("var", "__pycache__", ".env"))
    nodename = f"reload-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    env = script_env(
        redis_server.port,
        tmp_path / "var",
        DEMO_ENV="development",
        WORKER_NAME=nodename,
        WORKER_CONCURRENCY="1",
    )
    worker = ScriptProcess(
        "worker/start.sh",
        env,
        tmp_path / "worker.log",
        args=["--without-mingle", "--without-gossip"],
        demo_dir=project,
    )
    try:
        worker.start()
        worker.wait_for_output(r"\bready\.", 60)

        (project / "notes.txt").write_text("not Python: the python filter ignores this\n")
        time.sleep(2)  # longer than watchfiles' debounce, so a restart would show by now
        assert "detected" not in worker.output()

        (project / "tasks" / "reload_probe.py").write_text("PROBE = 1\n")
        worker.wait_for_output(r"\bready\.", 60, count=2)
        assert len(re.findall(r"\d+ changes? detected", worker.output())) == 1
        assert "Warm shutdown" in worker.output()  # the old worker stopped cleanly first
        assert ping_workers(redis_server.url(0), [nodename], timeout=2.0) == [nodename]
    finally:
        worker.stop()


@pytest.mark.parametrize(
    ("script", "missing", "mode"),
    [
        ("worker/start.sh", "celery", "development"),
        ("beat/start.sh", "celery", "production"),
        ("flower/start.sh", "celery", "development"),
        ("stack.sh", "honcho", "development"),
    ],
)
def test_a_script_without_the_virtualenv_names_the_missing_command(
    tmp_path: Path, script: str, missing: str, mode: str
) -> None:
    # A checkout without its .venv (nothing to fall back to); PATH has only the system's.
    project = tmp_path / "demo_project"
    shutil.copytree(DEMO_DIR, project, ignore=shutil.ignore_patterns("var", "__pycache__", ".env"))
    (tmp_path / "pyproject.toml").write_text("")
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DEMO_ENV": mode,
        "CELERY_FLOWER_USER": "u",
        "CELERY_FLOWER_PASSWORD": "p",
    }
    done = subprocess.run(
        ["bash", str(project / script)], env=env, capture_output=True, text=True, timeout=30,
        start_new_session=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 127
    expected = f"{script}: {missing} not found; install the project"
    assert done.stderr.startswith(expected), done.stderr
    assert "pip install -e ." in done.stderr and "not found" not in done.stdout
