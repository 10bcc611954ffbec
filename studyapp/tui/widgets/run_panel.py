"""RunPanel: runs the shown card's `**Run:**` command and streams its output.

`request_run()` asks for confirmation once per card file content (it posts
`ConfirmationNeeded`, the screen asks and calls `answer()`, a TrustStore remembers), checks
that Redis / a worker are up when the command needs them (one line instead of a hang), then
runs: a one-shot command in an async worker with its timeout, a `**Service:** yes` command as
a managed service that keeps running after the card changes. `stop()` (x) ends the whole
process group; Ctrl-C quits the app, which stops it too.

Output lines wrap (OutputLog). A blocked run ("No Celery worker answers") does not leave its
message standing once the services bar sees the missing part up: it turns into "ready".
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label

from deckgen.cardformat.expect import ExpectMatcher, ExpectResult
from deckgen.cardformat.model import Card, RunSpec
from studyapp.runner.preflight import NO_WORKER, REDIS_DOWN, preflight
from studyapp.runner.process import RunningProcess, RunOutcome, run_to_completion
from studyapp.runner.services import ManagedService, ServiceManager
from studyapp.runner.trust import TrustStore, read_snapshot
from studyapp.tui.widgets.output_log import OutputLog
from studyapp.tui.widgets.services_bar import ServicesBar

WORKER_KEY_HINT = "press W (or run: bash demo_project/worker/start.sh)"
STILL_RUNNING = " — still running (x stops)"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class RunPanel(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "stop", "Stop command"),
    ]

    @dataclass
    class Finished(Message):
        """A run ended (or a service stopped): how, and whether its Expect held."""

        card_id: str
        outcome: RunOutcome
        expect: ExpectResult | None

    @dataclass
    class Blocked(Message):
        """The run did not start: not confirmed, or the stack it needs is down."""

        card_id: str
        reason: str

    @dataclass
    class OutputShown(Message):
        """The output area appeared (a run started), grew, or went (a new card): the screen
        makes room for it (see `wanted_height`)."""

        shown: bool

    @dataclass
    class ConfirmationNeeded(Message):
        """The card's file has not been confirmed: the screen asks the learner and passes the
        answer to `panel.answer(self, confirmed)`."""

        panel: RunPanel
        card: Card
        run: RunSpec  # as the file holds it now: what the question shows and what runs
        digest: str  # of the bytes `run` came from: what a yes trusts

    def __init__(
        self,
        trust: TrustStore,
        manager: ServiceManager | None = None,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        # The bar's manager is the panel's: what the panel starts is what the bar counts.
        self.services_bar = ServicesBar(manager)
        self.trust = trust
        self.card: Card | None = None
        self._process: RunningProcess | None = None
        self._service: ManagedService | None = None
        self._matcher: ExpectMatcher | None = None
        self._started_at = 0.0
        self._ready = False  # children exist (set on mount)
        self._runnable = True
        self._waiting_for: str | None = None  # "redis" or "worker" while a run is blocked
        self._growth_told = False  # an OutputShown for new lines is on its way
        # Hidden until a card with a command shows: the services bar inside probes only while
        # shown, and its probe (importing redis and celery in a thread) would compete with the
        # first card's paint for the interpreter.
        self.display = False

    @property
    def manager(self) -> ServiceManager:
        return self.services_bar.manager

    def compose(self) -> ComposeResult:
        yield self.services_bar
        yield Label(id="run-hint", markup=False)
        output = OutputLog(id="run-output", max_lines=2000)
        output.display = False  # until a run starts
        yield output
        yield Label(id="run-status", markup=False)
        yield Label(id="run-expect", markup=False)

    def on_mount(self) -> None:
        self._ready = True
        self.show_card(self.card)

    def on_unmount(self) -> None:
        # The panel leaves with its screen; the service it follows keeps running without it.
        if self._service is not None:
            self._service.detach(self._on_line)
            self._service = None

    @property
    def process(self) -> RunningProcess | None:
        """The one-shot command's process while it runs (a service's is its own)."""
        return self._process

    @property
    def output_lines(self) -> list[str]:
        """The output on show, line by line as printed (before wrapping)."""
        return list(self.query_one(OutputLog).printed)

    @property
    def busy(self) -> bool:
        return self._process is not None or (self._service is not None and self._service.running)

    # --- showing a card ------------------------------------------------------------------

    def show_card(self, card: Card | None) -> None:
        """Reset for `card`: visible only when it has a command; reattach its service."""
        if self._service is not None:
            self._service.detach(self._on_line)
            self._service = None
        if self._process is not None:
            self.workers.cancel_group(self, "run")  # a one-shot run ends with its card
            self._process = None
        self.card = card
        if not self._ready:
            return
        self._show_output(False)
        self._set_status("")
        self._set_expect("")
        self.display = card is not None and card.run is not None
        if card is None or card.run is None:
            return
        self.services_bar.refresh_status()
        self._show_hint()
        service = self.manager.get(card.id)
        if service is not None and service.running:
            self._follow_service(service, replay=True)

    def set_runnable(self, runnable: bool) -> None:
        """Whether `r` runs the command now (the review screen allows it once the answer
        shows); the hint line says so."""
        self._runnable = runnable
        if self._ready and self.query_one("#run-hint").display:
            self._show_hint()

    def _show_hint(self) -> None:
        card = self.card
        if card is None or card.run is None:
            return
        kind = "service" if card.run.service else "command"
        when = "press r to run it" if self._runnable else "r runs it once the answer shows"
        hint = self.query_one("#run-hint", Label)
        hint.update(f"▶ This card has a {kind}: {when}")
        hint.display = True

    def card_edited(self, card: Card) -> None:
        """The card on show was edited: follow it, keeping the output shown so far."""
        if self.card is not None and self.card.id == card.id:
            self.card = card
            has_run = card.run is not None
            self.display = has_run or bool(self.output_lines)
        else:
            self.show_card(card)

    # --- running ---------------------------------------------------------------------------

    def request_run(self) -> None:
        card = self.card
        if card is None or card.run is None or self.busy:
            return
        # The command that runs, and the content that gets trusted, come from one fresh read
        # of the file: an edit since the card was shown (or while the dialog is open) is never
        # run or trusted unseen.
        snapshot = read_snapshot(card)
        fresh = snapshot.card
        if fresh is None or fresh.run is None:
            reason = snapshot.problem or "the card has no command in its file any more"
            self._set_status(f"Not run, the card file changed: {reason}", "run-blocked")
            self.post_message(self.Blocked(card.id, reason))
            return
        if self.trust.is_trusted(card.location.path, snapshot.digest):
            self._preflight_then_run(card, fresh.run)
        else:
            self.post_message(self.ConfirmationNeeded(self, card, fresh.run, snapshot.digest))

    def answer(self, request: ConfirmationNeeded, confirmed: bool) -> None:
        """The learner's answer to `request`: a yes trusts the file's content and runs."""
        card = request.card
        if confirmed:
            self.trust.trust(card.location.path, request.digest)
            self._preflight_then_run(card, request.run)
        else:
            self._set_status("Not run: the command was not confirmed.")
            self.post_message(self.Blocked(card.id, "not confirmed"))

    @work(thread=True, exclusive=True, group="preflight")
    def _preflight_then_run(self, card: Card, run: RunSpec) -> None:
        env = self.manager.prepare(run.command).env
        problem = preflight(run.command, env, card.tags, worker_hint=WORKER_KEY_HINT)
        self.app.call_from_thread(self._start_after_preflight, card, run, problem)

    def _start_after_preflight(self, card: Card, run: RunSpec, problem: str | None) -> None:
        if card is not self.card:
            return  # the learner moved on meanwhile
        if problem is not None:
            self._set_status(problem, "run-blocked")
            self._waiting_for = (
                "worker" if problem.startswith(NO_WORKER) else
                "redis" if problem.startswith(REDIS_DOWN) else None
            )  # fmt: skip
            self.post_message(self.Blocked(card.id, problem))
            return
        self._show_output(True)
        self._set_expect("")
        self.query_one("#run-hint").display = False  # it has been run: no need to say how
        self._matcher = ExpectMatcher(run.expect)
        self._started_at = time.monotonic()
        self._set_status(f"$ {run.command.strip()}   (running… x stops)", "run-running")
        if run.service:
            self._start_service(card, run)
        else:
            self._run_one_shot(card, run)

    @work(exclusive=True, group="run")
    async def _run_one_shot(self, card: Card, run: RunSpec) -> None:
        def remember(process: RunningProcess) -> None:
            self._process = process

        try:
            outcome = await run_to_completion(
                self.manager.prepare(run.command),
                run.timeout,
                on_line=self._on_line,
                on_start=remember,
            )
        except OSError as exc:
            self._set_status(f"Cannot start the command: {exc}", "run-failed")
            return
        finally:
            self._process = None
        self._show_outcome(card, outcome, service=False)

    @work(group="service")
    async def _start_service(self, card: Card, run: RunSpec) -> None:
        try:
            service = await self.manager.start(card.id, run.command)
        except OSError as exc:
            self._set_status(f"Cannot start the service: {exc}", "run-failed")
            return
        if card is not self.card:
            return
        self._follow_service(service, replay=True)

    def _follow_service(self, service: ManagedService, replay: bool) -> None:
        if self.card is not None and self.card.run is not None and self._matcher is None:
            self._matcher = ExpectMatcher(self.card.run.expect)
        self._service = service
        self._show_output(True)
        self.query_one("#run-hint").display = False
        self._set_status(
            f"$ {service.command.display()}   (service running in the background; x stops it)",
            "run-running",
        )
        service.attach(self._on_line, replay=replay)
        self._await_service_end(service)

    @work(group="service-watch")
    async def _await_service_end(self, service: ManagedService) -> None:
        outcome = await service.wait()
        if self._service is service and self.card is not None:
            self._service = None
            self._show_outcome(self.card, outcome, service=True)

    def wanted_height(self) -> int:
        """Rows the panel needs to show every output line (as wrapped) without scrolling."""
        output = self.query_one(OutputLog)
        return self.outer_size.height - output.outer_size.height + len(output.lines)

    def _tell_growth(self) -> None:
        """Post OutputShown once the new lines are laid out (once per refresh, not per line)."""
        if self._growth_told or not self.query_one(OutputLog).display:
            return
        self._growth_told = True

        def tell() -> None:
            self._growth_told = False
            self.post_message(self.OutputShown(True))

        self.call_after_refresh(tell)

    def _on_line(self, line: str) -> None:
        self.query_one(OutputLog).write_line(line)
        self._tell_growth()
        matcher = self._matcher
        if matcher is not None and matcher.lines and not matcher.done and matcher.feed(line + "\n"):
            # Passed, but the command has not ended: its exit status is still to come.
            self._set_expect(_sentence(matcher.result().describe()) + STILL_RUNNING, "expect-ok")

    def _show_output(self, shown: bool) -> None:
        """Clear the output; show the area (a run starts) or hide it (a new card)."""
        self._waiting_for = None
        output = self.query_one(OutputLog)
        output.clear_lines()
        if output.display != shown:
            output.display = shown
            self.post_message(self.OutputShown(shown))

    def on_services_bar_changed(self, message: ServicesBar.Changed) -> None:
        """The part a blocked run waited for is up now: say so instead of the old message."""
        waiting, status = self._waiting_for, message.status
        if (waiting == "worker" and status.worker) or (waiting == "redis" and status.redis):
            self._waiting_for = None
            ready = "Worker ready" if waiting == "worker" else "Redis is up"
            self._set_status(f"{ready}: press r to run the command.", "run-ok")

    def _show_outcome(self, card: Card, outcome: RunOutcome, service: bool) -> None:
        ok = outcome.succeeded or (service and outcome.stopped)
        self._set_status(outcome.status_text(), "run-ok" if ok else "run-failed")
        expect = self._matcher.result() if self._matcher and self._matcher.lines else None
        if expect is not None:
            css_class = "expect-ok" if expect.ok else "expect-failed"
            self._set_expect(_sentence(expect.describe()), css_class)
        self._matcher = None
        self.post_message(self.Finished(card.id, outcome, expect))

    # --- stopping --------------------------------------------------------------------------

    async def action_stop(self) -> None:
        await self.stop()

    async def stop(self) -> None:
        """End the running command's whole process group (one-shot or this card's service)."""
        if self._process is not None:
            await self._process.stop()
        elif self._service is not None and self._service.running:
            await self._service.stop()

    # --- labels ----------------------------------------------------------------------------

    def _set_status(self, text: str, css_class: str = "") -> None:
        label = self.query_one("#run-status", Label)
        label.set_classes(css_class)
        label.update(text)
        label.display = bool(text)
        self._tell_growth()

    def _set_expect(self, text: str, css_class: str = "") -> None:
        label = self.query_one("#run-expect", Label)
        label.set_classes(css_class)
        label.update(text)
        label.display = bool(text)
        self._tell_growth()
