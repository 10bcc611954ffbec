"""`studyapp verify` and `studyapp run` as real subprocesses against real Redis and workers."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from runner_procs import pid_alive, read_pid
from runner_support import card_markdown, write_deck

from demo_project.launch import redis_reachable

STUDYAPP = [str(Path(sys.executable).parent / "studyapp")]


def studyapp(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*STUDYAPP, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )


PING = "celery -A config.celery_app inspect ping -t 1"


def test_verify_reports_each_card_and_fails_on_bad_expect_and_bad_exit(tmp_path: Path) -> None:
    deck = write_deck(
        tmp_path / "mixed.md",
        card_markdown("good-ping", PING, expect="re: ->\\s+\\S+@\\S+: OK\npong"),
        card_markdown("bad-expect", "echo hello", expect="goodbye"),
        card_markdown("bad-exit", "python -c 'import sys; print(\"oops\"); sys.exit(4)'"),
        card_markdown("too-slow", "sleep 30", timeout=1),
        card_markdown(
            "service-ok",
            "celery -A config.celery_app worker -l info -Q celery -c 1 -n svc@%h --without-mingle",
            expect="re: svc@\\S+ ready",
            service=True,
            timeout=40,
        ),
        "## no-run\n**ID:** no-run\n**Front:** q\n**Back:** a\n",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    result = studyapp("verify", "--yes", "--own-stack", "--jobs", "2", str(deck), env=env)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    started = re.search(r"started redis on 127\.0\.0\.1:(\d+)", out)
    assert started, out
    assert re.search(r"^PASS  good-ping  \d+\.\d\ds$", out, re.M), out
    assert re.search(r"^FAIL  bad-expect  \S+s  expect line 1 not found: goodbye$", out, re.M)
    assert re.search(r"^FAIL  bad-exit  \S+s  exit 4$", out, re.M), out
    assert re.search(r"^FAIL  too-slow  \S+s  timeout after 1s$", out, re.M), out
    assert re.search(r"^PASS  service-ok  \S+s$", out, re.M), out
    assert "\n    oops\n" in out  # the failing card's output tail
    assert out.rstrip().endswith("2 passed, 3 failed, 1 without Run")
    # Everything verify started is gone: its Redis no longer answers.
    assert not redis_reachable(f"redis://127.0.0.1:{started.group(1)}/0")


def test_verify_uses_a_running_stack_and_passes(
    tmp_path: Path, running_stack: dict[str, str]
) -> None:
    deck = write_deck(
        tmp_path / "good.md",
        card_markdown("ping", PING, expect="pong"),
        card_markdown("echo", "echo $CELERY_BROKER_URL", expect=running_stack["CELERY_BROKER_URL"]),
    )
    result = studyapp("verify", "--yes", "--json", str(deck), env=running_stack)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert (report["passed"], report["failed"]) == (2, 0)
    assert {r["card_id"] for r in report["results"]} == {"ping", "echo"}


def test_verify_record_stores_trimmed_output_next_to_the_card_file(
    tmp_path: Path, running_stack: dict[str, str]
) -> None:
    deck = write_deck(
        tmp_path / "01-rec.md",
        card_markdown("ping", PING, expect="pong"),
        card_markdown("count", "seq 1 30", expect="re: ^15$"),
        card_markdown("fails", "echo no", expect="yes"),
    )
    result = studyapp("verify", "--yes", "--record", str(deck), env=running_stack)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"recorded {tmp_path / '01-rec.verified.json'}" in result.stdout
    recorded = json.loads((tmp_path / "01-rec.verified.json").read_text(encoding="utf-8"))
    assert recorded["format"] == 1 and set(recorded["cards"]) == {"ping", "count"}
    count = recorded["cards"]["count"]
    assert count["output"] == "…\n14\n15\n16\n…"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", count["verified"])
    assert count["celery"].startswith("5.")
    assert re.search(r"->\s+\S+: OK", recorded["cards"]["ping"]["output"])  # as printed


def test_verify_record_refuses_a_malformed_recordings_file_before_running(
    tmp_path: Path,
) -> None:
    deck = write_deck(tmp_path / "bad.md", card_markdown("hi", "echo hi"))
    (tmp_path / "bad.verified.json").write_text('{"format": 1,\n "cards": [}\n')
    result = studyapp("verify", "--record", str(deck))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{tmp_path / 'bad.verified.json'}:2: not valid JSON")
    assert "Traceback" not in result.stderr and "started redis" not in result.stdout


def test_verify_reports_parse_errors_as_path_line(tmp_path: Path) -> None:
    deck = tmp_path / "broken.md"
    deck.write_text("# Deck\n\n## Card\n**Front:** q\n**Bogus:** x\n")
    result = studyapp("verify", str(deck))
    assert result.returncode == 1
    assert re.match(rf"{re.escape(str(deck))}:\d+: ", result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_run_streams_and_returns_the_command_status(tmp_path: Path) -> None:
    deck = write_deck(
        tmp_path / "run.md",
        card_markdown("three", "echo first; echo second; exit 3"),
        card_markdown("mismatch", "echo hello", expect="goodbye"),
    )
    result = studyapp("run", "--yes", "three", str(deck))
    assert result.returncode == 3
    assert result.stdout == "first\nsecond\n"
    assert "exit 3" in result.stderr
    result = studyapp("run", "--yes", "mismatch", str(deck))
    assert result.returncode == 1
    assert "expect line 1 not found: goodbye" in result.stderr


def test_run_refuses_unconfirmed_files_without_a_terminal(tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "ask.md", card_markdown("hi", "echo hi"))
    env = dict(os.environ, STUDYAPP_DATA_DIR=str(tmp_path / "data"))
    result = studyapp("run", "hi", str(deck), env=env)
    assert result.returncode == 1 and result.stdout == ""
    assert "not confirmed" in result.stderr


def test_run_uses_the_trust_file_of_the_given_data_folder(tmp_path: Path) -> None:
    from studyapp.locations import DataFolder
    from studyapp.runner.trust import TrustStore

    deck = write_deck(tmp_path / "trusted.md", card_markdown("hi", "echo hi"))
    TrustStore(DataFolder(tmp_path / "data").trusted_files).trust(deck)  # as `studyapp --data-dir`
    env = dict(os.environ, STUDYAPP_DATA_DIR=str(tmp_path / "elsewhere"))
    result = studyapp("run", "hi", str(deck), env=env)
    assert result.returncode == 1 and "not confirmed" in result.stderr
    result = studyapp("run", "--data-dir", str(tmp_path / "data"), "hi", str(deck), env=env)
    assert (result.returncode, result.stdout) == (0, "hi\n"), result.stderr
    env["STUDYAPP_DATA_DIR"] = str(tmp_path / "data")
    result = studyapp("run", "hi", str(deck), env=env)
    assert (result.returncode, result.stdout) == (0, "hi\n"), result.stderr


def test_run_says_when_redis_is_down(tmp_path: Path) -> None:
    from demo_project.launch import free_port

    deck = write_deck(tmp_path / "down.md", card_markdown("ping", PING))
    broker = f"redis://127.0.0.1:{free_port()}/0"
    result = studyapp(
        "run", "--yes", "ping", str(deck), env=dict(os.environ, CELERY_BROKER_URL=broker)
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Redis is not reachable at {broker}; start it with: bash demo_project/redis/start.sh "
        "(no Redis installed? Debian/Ubuntu: sudo apt-get install redis-server; "
        "macOS: brew install redis)"
    )


def test_verify_stops_everything_it_started_when_terminated(tmp_path: Path) -> None:
    pid_file = tmp_path / "card.pid"
    deck = write_deck(
        tmp_path / "hang.md", card_markdown("hang", f"echo $$ > {pid_file}; exec sleep 60")
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    verify = subprocess.Popen(
        [*STUDYAPP, "verify", "--yes", "--own-stack", str(deck)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert verify.stdout is not None
        started = re.search(r"started redis on 127\.0\.0\.1:(\d+)", verify.stdout.readline())
        assert started
        card_pid = read_pid(pid_file)
        verify.send_signal(signal.SIGTERM)
        assert verify.wait(timeout=30) == 130
        assert "interrupted" in (verify.stderr.read() if verify.stderr else "")
        assert not pid_alive(card_pid)
        assert not redis_reachable(f"redis://127.0.0.1:{started.group(1)}/0")
    finally:
        if verify.poll() is None:
            os.killpg(verify.pid, signal.SIGKILL)
            verify.wait()
