"""The RunPanel driven with Pilot: streaming, stop, confirmation memory, timeout, Redis down."""

from __future__ import annotations

import time
from collections.abc import Callable

from runner_procs import pid_alive
from runner_support import MakeCard, RunnerApp
from textual.pilot import Pilot
from textual.widgets import DataTable, Label

from demo_project.launch import RedisServer
from studyapp.runner.services import ServiceManager
from studyapp.runner.trust import TrustStore
from studyapp.tui.screens.confirm_run import ConfirmRunScreen
from studyapp.tui.screens.services import ServicesScreen
from studyapp.tui.widgets.services_bar import ServicesBar

COUNT_SCRIPT = (
    "import time\nfor i in range(3):\n    print(f'step {i}', flush=True); time.sleep(0.1)"
)
HANG_SCRIPT = "import time\nprint('started', flush=True)\ntime.sleep(60)"


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.05)


def log_lines(app: RunnerApp) -> list[str]:
    return app.panel.output_lines


def label(app: RunnerApp, name: str) -> str:
    return str(app.panel.query_one(f"#{name}", Label).content)


async def confirm(pilot: Pilot[None], answer: str = "y") -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmRunScreen))
    await pilot.press(answer)


async def test_quick_command_lines_appear_in_order_then_status_and_expect(
    make_card: MakeCard, trust: TrustStore
) -> None:
    card = make_card("count", f'python -c "{COUNT_SCRIPT}"', expect="step 0\nre: step [2]")
    app = RunnerApp(card, trust, ServiceManager())
    async with app.run_test() as pilot:
        assert "press r to run" in label(app, "run-hint")
        await pilot.press("r")
        await confirm(pilot)
        await wait_for(pilot, lambda: bool(app.finished))
        assert log_lines(app) == ["step 0", "step 1", "step 2"]
        assert label(app, "run-status").startswith("exit 0 in ")
        assert label(app, "run-expect") == "Expect passed (2 lines)"
        assert app.finished[0].expect is not None and app.finished[0].expect.ok


async def test_expect_passed_says_still_running_until_the_command_ends(
    make_card: MakeCard, trust: TrustStore
) -> None:
    script = "import time\nprint('ready', flush=True); time.sleep(1.5); print('bye')"
    card = make_card("slow", f'python -c "{script}"', expect="ready")
    trust.trust(card.location.path)
    app = RunnerApp(card, trust, ServiceManager())
    async with app.run_test() as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: log_lines(app) == ["ready"])
        await wait_for(pilot, lambda: label(app, "run-expect") != "")
        assert label(app, "run-expect") == "Expect passed (1 line) — still running (x stops)"
        assert app.panel.process is not None, "the command has not ended yet"
        await wait_for(pilot, lambda: bool(app.finished))
        assert label(app, "run-expect") == "Expect passed (1 line)"
        assert label(app, "run-status").startswith("exit 0 in ")


async def test_failed_expect_is_shown(make_card: MakeCard, trust: TrustStore) -> None:
    card = make_card("nope", "echo something else", expect="pong")
    trust.trust(card.location.path)
    app = RunnerApp(card, trust, ServiceManager())
    async with app.run_test() as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: bool(app.finished))
        assert label(app, "run-expect") == "Expect line 1 not found: pong"
        assert "expect-failed" in app.panel.query_one("#run-expect").classes


async def test_long_running_command_is_stopped_by_its_key(
    make_card: MakeCard, trust: TrustStore
) -> None:
    card = make_card("hang", f'python -c "{HANG_SCRIPT}"')
    trust.trust(card.location.path)
    app = RunnerApp(card, trust, ServiceManager())
    async with app.run_test() as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: log_lines(app) == ["started"])
        process = app.panel.process
        assert process is not None and pid_alive(process.pid)
        await pilot.press("x")
        await wait_for(pilot, lambda: bool(app.finished))
        assert app.finished[0].outcome.stopped
        assert label(app, "run-status").startswith("stopped after")
        assert not pid_alive(process.pid)


async def test_confirmation_once_per_file_and_again_after_it_changes(
    make_card: MakeCard, trust: TrustStore
) -> None:
    card = make_card("hello", "echo hello")
    app = RunnerApp(card, trust, ServiceManager())
    async with app.run_test() as pilot:
        await pilot.press("r")
        await confirm(pilot, "n")  # declined: nothing runs
        await wait_for(pilot, lambda: bool(app.blocked))
        assert not app.finished and log_lines(app) == []
        await pilot.press("r")
        await confirm(pilot, "y")
        await wait_for(pilot, lambda: len(app.finished) == 1)
        assert log_lines(app) == ["hello"]
        # Same file content: runs straight away.
        await pilot.press("r")
        await wait_for(pilot, lambda: len(app.finished) == 2)
        assert not isinstance(app.screen, ConfirmRunScreen)
        # The file changed: asked again.
        deck = card.location.path
        deck.write_text(deck.read_text().replace("**Back:** a", "**Back:** a, edited"))
        await pilot.press("r")
        await confirm(pilot, "y")
        await wait_for(pilot, lambda: len(app.finished) == 3)


async def test_confirm_screen_shows_the_file_and_exact_command(
    make_card: MakeCard, trust: TrustStore
) -> None:
    card = make_card("shown", "echo [bold]not markup[/bold] | tr a-z A-Z")
    app = RunnerApp(card, trust, ServiceManager())
    async with app.run_test() as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRunScreen))
        command = app.screen.query_one("#confirm-run-command")
        assert str(command.render()) == "echo [bold]not markup[/bold] | tr a-z A-Z"
        assert str(card.location.path) in str(app.screen.query_one("#confirm-run-file").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: bool(app.blocked))


async def test_timeout_ends_a_hanging_command(make_card: MakeCard, trust: TrustStore) -> None:
    card = make_card("slow", f'python -c "{HANG_SCRIPT}"', timeout=1)
    trust.trust(card.location.path)
    app = RunnerApp(card, trust, ServiceManager())
    async with app.run_test() as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: bool(app.finished))
        assert app.finished[0].outcome.timed_out
        assert label(app, "run-status").startswith("timed out after 1.")


async def test_redis_down_gives_one_line_instead_of_running(
    make_card: MakeCard, trust: TrustStore, free_broker: str
) -> None:
    card = make_card("ping", "celery -A config.celery_app inspect ping -t 0.5")
    trust.trust(card.location.path)
    app = RunnerApp(card, trust, ServiceManager())
    async with app.run_test() as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: bool(app.blocked))
        status = label(app, "run-status")
        assert status == (
            f"Redis is not reachable at {free_broker}; "
            "start it with: bash demo_project/redis/start.sh (no Redis installed? "
            "Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)"
        )
        assert not app.finished and log_lines(app) == []
        # Redis comes up (the learner started it): the message does not stay standing.
        port = int(free_broker.rsplit(":", 1)[1].split("/")[0])
        with RedisServer(port=port):
            await wait_for(pilot, lambda: label(app, "run-status").startswith("Redis is up"), 20)
            assert label(app, "run-status") == "Redis is up: press r to run the command."


async def test_service_keeps_running_after_the_card_changes_and_stops_on_exit(
    make_card: MakeCard, trust: TrustStore
) -> None:
    card = make_card("svc", f'python -c "{HANG_SCRIPT}"', service=True, expect="started")
    trust.trust(card.location.path)
    services = ServiceManager()
    app = RunnerApp(card, trust, services)
    async with app.run_test() as pilot:
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: label(app, "run-expect") == "Expect passed (1 line) — still running (x stops)",
        )
        service = services.get("svc")
        assert service is not None and service.process is not None
        app.panel.show_card(None)  # the learner moves on
        await pilot.pause(0.3)
        assert service.running and pid_alive(service.process.pid)
        app.panel.show_card(card)  # coming back shows its output again
        await wait_for(pilot, lambda: log_lines(app) == ["started"])
        pid = service.process.pid
    assert not pid_alive(pid)  # the app's exit stopped it


async def test_services_bar_shows_the_stack_down(
    make_card: MakeCard, trust: TrustStore, free_broker: str
) -> None:
    card = make_card("bar", "echo hi")
    app = RunnerApp(card, trust, ServiceManager())
    async with app.run_test() as pilot:
        bar = app.panel.query_one(ServicesBar)
        await wait_for(pilot, lambda: bar.status is not None)
        assert str(bar.render()).startswith("Redis down  worker down  beat down  Flower down")
        assert bar.has_class("-redis-down")


async def test_services_screen_lists_and_stops_a_service(
    make_card: MakeCard, trust: TrustStore
) -> None:
    services = ServiceManager()
    app = RunnerApp(make_card("list", "echo hi"), trust, services)
    async with app.run_test() as pilot:
        service = await services.start("sleeper", f'python -c "{HANG_SCRIPT}"')
        assert service.process is not None
        await app.push_screen(ServicesScreen(services))
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        assert table.get_row_at(0)[:3] == ["sleeper", "other", "running"]
        await pilot.press("x")
        await wait_for(pilot, lambda: not service.running)
        assert not pid_alive(service.process.pid)
        await wait_for(pilot, lambda: str(table.get_row_at(0)[2]).startswith("stopped"))


async def test_stop_all_on_the_services_screen_leaves_a_one_shot_command_running(
    make_card: MakeCard, trust: TrustStore
) -> None:
    card = make_card("oneshot", f'python -c "{HANG_SCRIPT}"')
    trust.trust(card.location.path)
    services = ServiceManager()
    app = RunnerApp(card, trust, services)
    async with app.run_test() as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: log_lines(app) == ["started"])
        one_shot = app.panel.process
        assert one_shot is not None
        service = await services.start("sleeper", f'python -c "{HANG_SCRIPT}"')
        assert service.process is not None
        await app.push_screen(ServicesScreen(services))
        await pilot.pause()
        await pilot.press("X")
        await wait_for(pilot, lambda: not service.running)
        assert not pid_alive(service.process.pid)
        assert pid_alive(one_shot.pid) and app.panel.process is one_shot


async def test_an_edit_while_the_dialog_is_open_is_neither_run_nor_trusted(
    make_card: MakeCard, trust: TrustStore
) -> None:
    card = make_card("edited", "echo shown")
    deck = card.location.path
    app = RunnerApp(card, trust, ServiceManager())
    async with app.run_test() as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRunScreen))
        assert str(app.screen.query_one("#confirm-run-command").render()) == "echo shown"
        deck.write_text(deck.read_text().replace("echo shown", "echo unseen"))
        await pilot.press("y")
        await wait_for(pilot, lambda: len(app.finished) == 1)
        assert log_lines(app) == ["shown"]  # what the dialog showed, not the new text
        assert not trust.is_trusted(deck)  # the answer covered the shown content only
        await pilot.press("r")  # asked again, now with the command the file holds
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRunScreen))
        assert str(app.screen.query_one("#confirm-run-command").render()) == "echo unseen"
        await pilot.press("y")
        await wait_for(pilot, lambda: len(app.finished) == 2)
        assert log_lines(app) == ["unseen"] and trust.is_trusted(deck)


async def test_a_card_file_broken_since_it_was_shown_runs_nothing(
    make_card: MakeCard, trust: TrustStore
) -> None:
    card = make_card("broken", "echo hello")
    trust.trust(card.location.path)
    deck = card.location.path
    deck.write_text(deck.read_text().replace("**Run:** `echo hello`", "**Run:** echo hello"))
    app = RunnerApp(card, trust, ServiceManager())
    async with app.run_test() as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: bool(app.blocked))
        assert label(app, "run-status") == (
            f"Not run, the card file changed: {deck}:7: "
            "**Run:** must be inline code or a fenced code block"
        )
        assert not app.finished and not isinstance(app.screen, ConfirmRunScreen)


async def test_a_long_status_line_wraps_inside_the_panel(
    make_card: MakeCard, trust: TrustStore, free_broker: str
) -> None:
    card = make_card("wrap", "celery -A config.celery_app inspect ping -t 0.5")
    trust.trust(card.location.path)
    app = RunnerApp(card, trust, ServiceManager())
    async with app.run_test(size=(48, 30)) as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: bool(app.blocked))
        await pilot.pause()
        status = app.panel.query_one("#run-status", Label)
        width = app.panel.content_region.width
        assert len(label(app, "run-status")) > 2 * width  # needs three lines at least
        assert status.region.width <= width and status.region.height >= 3
