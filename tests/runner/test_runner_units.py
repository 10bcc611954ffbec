"""Command splitting, Expect matching, trust memory and preflight rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deckgen.cardformat.expect import ExpectMatcher, check_expect, parse_expect
from demo_project.contract import DEMO_DIR, DOTENV_PATH, run_environment, venv_bin_dir
from studyapp.runner.command import BASH_PREAMBLE, needs_shell, prepare
from studyapp.runner.preflight import PreflightProbes, needs_redis, needs_worker, preflight
from studyapp.runner.services import ManagedService, ServiceKind, classify
from studyapp.runner.trust import TrustStore


@pytest.mark.parametrize(
    "command",
    [
        "celery -A config.celery_app inspect ping -t 0.5",
        "python -c \"print('a; b | c > d')\"",
        "echo 'single $HOME quoted'",
        "python -m client add 2 3",
        "celery -A config.celery_app call tasks.basic.add --args='[2, 3]'",
    ],
)
def test_plain_commands_run_without_a_shell(command: str) -> None:
    assert not needs_shell(command)
    prepared = prepare(command)
    assert prepared.argv[0] != "bash" or command.startswith("bash")
    assert not prepared.uses_shell


@pytest.mark.parametrize(
    "command",
    [
        "echo a | grep a",
        "sleep 1; echo done",
        "true && echo ok",
        "echo hi > out.txt",
        "echo $HOME",
        'echo "home is $HOME"',
        "ls *.py",
        "FOO=1 python -c 'import os; print(os.environ[\"FOO\"])'",
        "echo one\necho two",
        "cd worker",
        "exit 3",
        "echo `date`",
    ],
)
def test_shell_syntax_runs_under_strict_bash(command: str) -> None:
    assert needs_shell(command)
    prepared = prepare(command)
    assert prepared.argv[:2] == ("bash", "-c")
    assert prepared.argv[2] == BASH_PREAMBLE + command.strip()


def test_environment_and_working_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.setenv("CELERY_RESULT_BACKEND", "redis://127.0.0.1:7000/1")
    prepared = prepare("celery --version", {"FLOWER_PORT": "6000"})
    assert prepared.cwd == DEMO_DIR and (DEMO_DIR / "config").is_dir()
    assert prepared.env["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/0"  # the default
    assert prepared.env["CELERY_RESULT_BACKEND"] == "redis://127.0.0.1:7000/1"  # user's value
    assert prepared.env["FLOWER_PORT"] == "6000"  # the caller's override
    assert prepared.env["PATH"].split(os.pathsep)[0] == str(venv_bin_dir())


def test_expect_lines_match_in_order_literal_and_regex() -> None:
    output = "worker ready\ntask 7 received\ntask 7 succeeded in 0.01s: 5\n"
    assert check_expect("ready\nre: task \\d+ received\nsucceeded", output).ok
    reversed_order = check_expect("succeeded\nreceived", output)
    assert not reversed_order.ok
    assert reversed_order.failed is not None and reversed_order.failed.number == 2
    assert reversed_order.describe() == "expect line 2 not found: received"


def test_expect_each_search_starts_after_the_previous_match() -> None:
    assert check_expect("abc\nabc", "abc abc").ok
    assert not check_expect("abc\nabc", "abc").ok


def test_expect_strips_whitespace_blank_lines_and_markdown_wrapping() -> None:
    lines = parse_expect("```\n  first  \n\n`second`\n```")
    assert [line.text for line in lines] == ["first", "second"]
    assert check_expect("`pong`", "-> celery@host: OK\n        pong\n").ok


def test_expect_reports_an_invalid_regex() -> None:
    result = check_expect("re: (unclosed", "anything")
    assert not result.ok and "not a valid regex" in result.describe()


def test_expect_matcher_is_done_as_soon_as_every_line_showed_up() -> None:
    matcher = ExpectMatcher("one\nre: t.o")
    assert not matcher.feed("zero\n")
    assert not matcher.feed("one\n")
    assert matcher.feed("two\n")
    assert matcher.result().ok and matcher.result().matched == 2


def test_no_expect_always_passes() -> None:
    assert check_expect(None, "").ok and check_expect("", "x").ok


def test_trust_is_per_file_content(tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "data" / "trusted_files.json")
    deck = tmp_path / "deck.md"
    deck.write_text("one")
    assert not store.is_trusted(deck)
    store.trust(deck)
    assert store.is_trusted(deck)
    assert TrustStore(store.path).is_trusted(deck)  # remembered on disk
    deck.write_text("two")
    assert not store.is_trusted(deck)
    assert not store.is_trusted(tmp_path / "missing.md")


def test_trust_file_damaged_means_ask_again(tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "trusted_files.json")
    deck = tmp_path / "deck.md"
    deck.write_text("x")
    store.path.write_text("{not json")
    assert not store.is_trusted(deck)
    store.trust(deck)
    assert store.is_trusted(deck)


@pytest.mark.parametrize(
    ("command", "redis"),
    [
        ("celery -A config.celery_app inspect active -t 0.5", True),
        ("python -m demo_project.client delay", True),
        ("celery -A config.celery_app worker -l info", True),
        ("bash worker/start.sh", True),
        ("celery -A config.celery_app beat", True),
        ("python -c 'print(1)'", False),
        ("redis-cli -p 6379 ping", True),
    ],
)
def test_what_a_command_needs(command: str, redis: bool) -> None:
    assert needs_redis(command) is redis
    # A worker only when the card says so: never guessed from the command's text.
    assert not needs_worker(())


def test_tags_decide() -> None:
    assert needs_worker(("basics", "needs-worker"))
    assert needs_redis("python script.py", ("needs-worker",))
    assert not needs_worker(("worker",))
    assert not needs_redis("celery --version", ("no-redis",))


def test_preflight_names_what_is_missing_and_how_to_start_it() -> None:
    env = {"CELERY_BROKER_URL": "redis://127.0.0.1:6390/0"}
    down = PreflightProbes(redis=lambda _url: False, worker=lambda _url: False)
    up_no_worker = PreflightProbes(redis=lambda _url: True, worker=lambda _url: False)
    message = preflight("celery -A config.celery_app inspect ping", env, checks=down)
    assert message is not None and "Redis is not reachable" in message
    assert "redis/start.sh" in message and "\n" not in message
    client = "python -m demo_project.client chain"
    assert preflight(client, env, checks=up_no_worker) is None, "not tagged needs-worker"
    message = preflight(client, env, ("needs-worker",), checks=up_no_worker, worker_hint="W")
    assert message == "No Celery worker answers on redis://127.0.0.1:6390/0; start one with: W"
    assert preflight("python -c 'print(1)'", env, checks=down) is None


def test_service_kinds_from_the_command() -> None:
    assert classify("celery -A config.celery_app worker -l info") is ServiceKind.WORKER
    assert classify("bash beat/start.sh") is ServiceKind.BEAT
    assert classify("celery -A config.celery_app flower --port=5555") is ServiceKind.FLOWER
    assert classify("bash redis/start.sh") is ServiceKind.REDIS
    assert classify("python -m http.server") is ServiceKind.OTHER


def test_a_failing_listener_is_dropped_and_the_others_still_get_lines() -> None:
    service = ManagedService("svc", ServiceKind.OTHER, prepare("true"))
    seen: list[str] = []

    def broken(line: str) -> None:
        raise RuntimeError("the panel is gone")

    service.attach(broken)
    service.attach(seen.append)
    service.emit("one")
    service.emit("two")
    assert seen == ["one", "two"] and service.listeners == [seen.append]
    assert list(service.output) == ["one", "two"]


def test_status_sees_beat_and_flower_this_app_did_not_start(
    tmp_path: Path, free_broker: str
) -> None:
    """As with `bash demo_project/stack.sh`: beat holds its flock, Flower answers (401)."""
    import signal
    import subprocess
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from studyapp.runner.services import ServiceManager

    class AuthRequired(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(401)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    var = tmp_path / "var"
    var.mkdir()
    lock = var / "celerybeat.lock"
    lock.touch()
    manager = ServiceManager({"FLOWER_PORT": "0"})  # overridden below, once a port is bound
    down = manager.stack_status()
    assert (down.beat, down.flower) == (False, False)
    with ThreadingHTTPServer(("127.0.0.1", 0), AuthRequired) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        manager.env_overrides["FLOWER_PORT"] = str(server.server_address[1])
        holder = subprocess.Popen(
            ["flock", str(lock), "-c", "echo locked; exec sleep 30"],
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
            up = manager.stack_status()
            assert (up.redis, up.beat, up.flower) == (False, True, True)
        finally:
            server.shutdown()
            os.killpg(holder.pid, signal.SIGKILL)
            holder.wait()
    assert not manager.stack_status().beat  # the lock died with its holder


def test_the_demo_dotenv_fills_what_the_environment_leaves_unset(tmp_path: Path) -> None:
    assert DOTENV_PATH == DEMO_DIR / ".env"  # where honcho reads it for the stack
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# the learner's settings\n"
        "\n"
        "REDIS_PORT=6390\n"
        'CELERY_BROKER_URL="redis://127.0.0.1:6390/0"\n'
        "CELERY_FLOWER_PASSWORD='from dotenv'\n"
        "FLOWER_PORT=5600  # a comment after the value\n"
    )
    base = {"PATH": "/usr/bin", "FLOWER_PORT": "5700"}
    env = run_environment({"CELERY_FLOWER_PASSWORD": "override"}, base=base, dotenv=dotenv)
    assert env["REDIS_PORT"] == "6390"
    assert env["CELERY_BROKER_URL"] == "redis://127.0.0.1:6390/0"  # quotes stripped
    assert env["FLOWER_PORT"] == "5700"  # the environment wins over .env
    assert env["CELERY_FLOWER_PASSWORD"] == "override"  # the caller's override wins over all
    assert env["CELERY_RESULT_BACKEND"] == "redis://127.0.0.1:6379/1"  # then the defaults
    missing = run_environment(base=base, dotenv=tmp_path / "absent.env")
    assert "REDIS_PORT" not in missing and missing["FLOWER_PORT"] == "5700"


def test_trust_covers_the_digest_of_the_bytes_shown(tmp_path: Path) -> None:
    from studyapp.runner.trust import bytes_digest

    store = TrustStore(tmp_path / "trusted_files.json")
    deck = tmp_path / "deck.md"
    deck.write_text("shown")
    shown = bytes_digest(deck.read_bytes())
    deck.write_text("edited after it was shown")
    store.trust(deck, shown)
    assert store.is_trusted(deck, shown) and not store.is_trusted(deck)
