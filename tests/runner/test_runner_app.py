"""The runner inside the real StudyApp: Pilot on the review screen, and no orphan processes
after the app is ended by a signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from runner_procs import Proc, descendants, kill_leftovers, proc_alive, wait_until
from runner_support import card_markdown, write_deck
from textual.pilot import Pilot
from textual.widgets import DataTable

from demo_project.launch import RedisServer, demo_env
from studyapp.runner.process import group_alive, group_members
from studyapp.study import Study
from studyapp.tui.app import StudyApp
from studyapp.tui.screens.confirm_run import ConfirmRunScreen
from studyapp.tui.screens.services import ServicesScreen
from studyapp.tui.widgets.run_panel import RunPanel
from studyapp.tui.widgets.services_bar import ServicesBar

HERE = Path(__file__).resolve().parent


@pytest.fixture
def study(tmp_path: Path) -> Iterator[Study]:
    cards = tmp_path / "cards"
    cards.mkdir()
    write_deck(cards / "runner.md", card_markdown("say-hi", "echo hi from the card", expect="hi"))
    opened = Study.open([cards], tmp_path / "data")
    yield opened
    opened.close()


async def until(pilot: Pilot[int], condition: object, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.05)


async def test_review_screen_runs_the_card_and_lists_services(study: Study) -> None:
    app = StudyApp(study)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the only deck
        await until(pilot, lambda: bool(app.screen.query(RunPanel)))
        panel = app.screen.query_one(RunPanel)
        assert panel.display and panel.card is not None and panel.card.id == "say-hi"
        await pilot.press("space", "r")  # r runs once the answer shows
        await until(pilot, lambda: isinstance(app.screen, ConfirmRunScreen))
        await pilot.press("y")
        await until(pilot, lambda: panel.output_lines == ["hi from the card"])
        await until(pilot, lambda: "Expect passed" in str(panel.query_one("#run-expect").render()))
        await pilot.press("S")
        await until(pilot, lambda: isinstance(app.screen, ServicesScreen))
        assert app.screen.query_one(DataTable).row_count == 0


@pytest.fixture(scope="module")
def redis_env() -> Iterator[dict[str, str]]:
    with RedisServer() as server:
        yield demo_env(server.url(0), server.url(1))


async def test_worker_needed_message_then_w_starts_one_and_the_card_passes(
    tmp_path: Path, redis_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        monkeypatch.setenv(name, redis_env[name])
    cards = tmp_path / "cards"
    cards.mkdir()
    ping = "celery -A config.celery_app inspect ping -t 5"  # a loaded worker answers late
    write_deck(cards / "ping.md", card_markdown("ping", ping, expect="pong", tags="needs-worker"))
    opened = Study.open([cards], tmp_path / "data")
    app = StudyApp(opened)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("enter")
            await until(pilot, lambda: bool(app.screen.query(RunPanel)))
            panel = app.screen.query_one(RunPanel)
            panel.trust.trust(cards / "ping.md")
            status = panel.query_one("#run-status")
            await pilot.press("space", "r")
            await until(pilot, lambda: "No Celery worker answers" in str(status.render()))
            assert str(status.render()) == (
                f"No Celery worker answers on {redis_env['CELERY_BROKER_URL']}; start one with: "
                "press W (or run: bash demo_project/worker/start.sh)"
            )
            await pilot.press("W")
            worker = app.services.get("worker")
            assert worker is not None and worker.running
            # The stale message goes once the services bar sees the worker answer.
            await until(pilot, lambda: "Worker ready" in str(status.render()), timeout=60)
            assert str(status.render()) == "Worker ready: press r to run the command."
            bar = panel.query_one(ServicesBar)
            bar_text = str(bar.render())
            assert bar_text.endswith("(S: 1 started here)")
            assert len(bar_text) <= bar.content_region.width, "one line, nothing cut at 80"
            await pilot.press("r")
            await until(
                pilot,
                lambda: "Expect passed" in str(panel.query_one("#run-expect").render()),
                timeout=60,  # `inspect ping` starts a Celery client: seconds on a loaded machine
            )
            pgid = worker.pgid
            assert pgid is not None
    finally:
        opened.close()
    assert not group_alive(pgid)  # the app's exit stopped the worker


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_no_process_outlives_the_app_after_a_signal(
    tmp_path: Path, redis_env: dict[str, str], sig: signal.Signals
) -> None:
    cards = tmp_path / "cards"
    cards.mkdir()
    write_deck(cards / "deck.md", card_markdown("one", "echo one"))
    report = tmp_path / "report.txt"
    started: set[Proc] = set()
    app = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "app_with_worker.py"),
            str(cards),
            str(tmp_path / "data"),
            str(report),
        ],
        env=redis_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert wait_until(lambda: report.exists() and report.read_text().endswith("\n"), 60), (
            app.stderr.read().decode() if app.poll() is not None and app.stderr else "no report"
        )
        app_pid, service_pgid = map(int, report.read_text().split())
        assert app_pid == app.pid
        # The worker service: watchfiles, celery and its pool processes, all in one group.
        assert len(group_members(service_pgid)) >= 3
        # Everything below the app, whatever its group or session.
        started = descendants(app.pid)
        assert len(started) >= 3
        app.send_signal(sig)
        assert app.wait(timeout=30) == 0
        assert wait_until(lambda: not any(proc_alive(p) for p in started), 5), [
            p for p in started if proc_alive(p)
        ]
        assert not group_alive(service_pgid)
    finally:
        if app.poll() is None:
            os.killpg(app.pid, signal.SIGKILL)
            app.wait()
        kill_leftovers(started)


LOOP_SCRIPT = "import time\nwhile True:\n    print('tick', flush=True); time.sleep(0.05)"


async def test_a_service_survives_leaving_the_review_screen(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    cards.mkdir()
    deck = write_deck(
        cards / "svc.md", card_markdown("loop", f'python -c "{LOOP_SCRIPT}"', service=True)
    )
    opened = Study.open([cards], tmp_path / "data")
    app = StudyApp(opened)
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            await pilot.press("enter")
            await until(pilot, lambda: bool(app.screen.query(RunPanel)))
            app.screen.query_one(RunPanel).trust.trust(deck)
            await pilot.press("space", "r")
            await until(pilot, lambda: (s := app.services.get("loop")) is not None and s.running)
            service = app.services.get("loop")
            assert service is not None and service.pgid is not None
            await until(pilot, lambda: len(service.output) >= 2)
            await pilot.press("escape")  # back to the deck list: the panel is unmounted
            await until(pilot, lambda: not app.screen.query(RunPanel))
            seen = len(service.output)
            await until(pilot, lambda: len(service.output) >= seen + 5, 5)  # still printing
            assert service.running and group_alive(service.pgid)
            pgid = service.pgid
    finally:
        opened.close()
    assert not group_alive(pgid)  # the app's exit still stops it
