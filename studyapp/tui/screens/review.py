"""Review: the Front, Space reveals the Back, 1-4 grade; undo, suspend, bury, edit."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Label

from deckgen.cardformat.model import Card
from studyapp.session import ReviewSession
from studyapp.store import StoreError
from studyapp.study import HeldBack, Study
from studyapp.tui.editor import NoEditorError, editor_command
from studyapp.tui.screens.summary import SummaryScreen
from studyapp.tui.widgets.card_view import CardView
from studyapp.tui.widgets.rating_bar import RatingBar

if TYPE_CHECKING:
    from studyapp.tui.widgets.run_panel import RunPanel

GOOD = 3
_UNDONE = {"grade": "Last grade undone.", "suspend": "Suspend undone.", "bury": "Bury undone."}


def held_back_text(held: HeldBack) -> str:
    """One line saying which cards today's queue leaves out, and why ("" when none)."""
    if held.total == 0:
        return ""
    if held.buried == 0:
        why = "same note or command as a card answered today"
    elif held.siblings == 0:
        why = "buried with b"
    else:
        siblings = f"{held.siblings} sibling{'' if held.siblings == 1 else 's'}"
        why = f"{siblings} of answered cards, {held.buried} buried with b"
    return f"{held.total} held back until tomorrow: {why}"


class ReviewScreen(Screen[None], inherit_bindings=False):
    # Nothing focused and no inherited bindings (Tab focus, copy): the screen's own keys,
    # grades first, are what `?` lists.
    AUTO_FOCUS = ""
    # Below 32 rows (80x24) the answer buttons lose their borders: two rows more for the card
    # and the run output.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]  # noqa: RUF012 (Screen declares it)
    # The grades first: `?` lists them in this order, with what each means.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "grade(1)", "Again", show=False, tooltip="forgot: see it again soon"),
        Binding("2", "grade(2)", "Hard", show=False, tooltip="recalled with effort"),
        Binding("3", "grade(3)", "Good", show=False, tooltip="recalled"),
        Binding("4", "grade(4)", "Easy", show=False, tooltip="recalled at once"),
        # Space/Enter: reveal, then Good. The footer names what they do at the moment.
        Binding("space", "reveal", "Answer", key_display="space"),
        Binding("space", "good", "Good", key_display="space"),
        Binding("enter", "reveal", "Answer", show=False),
        Binding("enter", "good", "Good", show=False),
        Binding("u", "undo", "Undo"),
        Binding("s", "suspend_card", "Suspend"),
        Binding("b", "bury", "Bury"),
        Binding("e", "edit", "Edit"),
        Binding("i", "card_info", "Info"),
        Binding("r", "run_command", "Run"),
        Binding("x", "stop_command", "Stop", show=False),
        # The card scrolls from here: a focused scroll view would list its keys before 1-4.
        Binding("down", "scroll_card('down')", "Scroll", show=False),
        Binding("up", "scroll_card('up')", "Scroll", show=False),
        Binding("pagedown", "scroll_card('page_down')", "Scroll", show=False),
        Binding("pageup", "scroll_card('page_up')", "Scroll", show=False),
    ]

    @dataclass
    class CardShown(Message):
        """A new card (or the same card after an edit) is on screen; panels reset on it."""

        card: Card

    def __init__(self, study: Study, session: ReviewSession) -> None:
        super().__init__()
        self.study = study
        self.session = session
        self.card: Card | None = None
        self._shown_at = time.monotonic()
        self._run_panel: RunPanel | None = None
        self._output_shown = False  # a run's output is on show (see _fit_output)
        self._answer_in_view = False  # scrolled to the answer for this run's output

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(id="review-status")
        yield Label(id="held-back")
        scroll = VerticalScroll(id="card-scroll")
        scroll.can_focus = False
        with scroll:
            yield CardView(id="card")
        # Extra panels are mounted here, below the card: the runner's panel once a card with
        # a command shows (see run_panel()).
        yield Vertical(id="panels")
        with Horizontal(id="answer-bar"):
            yield Button("Show answer  (space)", id="show-answer", variant="primary")
            yield RatingBar(id="ratings")
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one("#show-answer", Button).can_focus = False
        await self.show_current()

    @property
    def revealed(self) -> bool:
        return self.query_one("#card", CardView).revealed

    async def show_current(self, keep_side: bool = False) -> None:
        """Show the session's current card, or the summary when the queue is empty.

        `keep_side`: when it is the card already on show (after an edit), keep its answer
        side and the run panel's output as they were."""
        card = self.session.current()
        if keep_side and card is not None and self.card is not None and card.id == self.card.id:
            self.card = card
            await self.query_one("#card", CardView).refresh_card(card)
            panel = self.run_panel(create=card.run is not None)
            if panel is not None:
                panel.card_edited(card)
            return
        if card is None:
            self.card = None
            clock = self.study.clock
            summary = SummaryScreen(self.session.summary(), clock.now(), clock.local_tz())
            self.app.switch_screen(summary)
            return
        self.card = card
        await self.query_one("#card", CardView).show(card)
        await self._set_revealed(False)
        self.query_one("#card-scroll", VerticalScroll).scroll_home(animate=False)
        new, learning, due = self.session.remaining()
        self.query_one("#review-status", Label).update(
            f"New {new}   Learning {learning}   Due {due}"
        )
        held_back = self.query_one("#held-back", Label)
        held_back.update(held_back_text(self.session.held_back()))
        held_back.display = bool(held_back.content)
        self._shown_at = time.monotonic()
        self.post_message(self.CardShown(card))

    async def _set_revealed(self, revealed: bool) -> None:
        if revealed:
            self.query_one("#ratings", RatingBar).set_intervals(self.session.intervals())
            await self.query_one("#card", CardView).reveal()
        self.query_one("#show-answer").display = not revealed
        self.query_one("#ratings").display = revealed
        # Space/Enter, the grades and Run change meaning with the side on show.
        self.refresh_bindings()
        panel = self.run_panel()
        if panel is not None:
            panel.set_runnable(self._runnable())

    def _runnable(self) -> bool:
        return self.revealed or self.study.settings.run_before_answer

    def run_panel(self, create: bool = False) -> RunPanel | None:
        """The runner's panel; made (with `create`) when the first card with a command shows.

        Until then neither the panel nor the runner (process control, psutil, the services
        probe) is loaded: cards without a command, and the start to the first card, skip them.
        """
        if self._run_panel is not None or not create:
            return self._run_panel
        from studyapp.locations import DataFolder
        from studyapp.runner.trust import TrustStore
        from studyapp.tui.widgets.run_panel import RunPanel

        panel = RunPanel(TrustStore(DataFolder(self.study.data_dir).trusted_files), id="run-panel")
        panel.set_runnable(self._runnable())
        self.query_one("#panels", Vertical).mount(panel)
        self._run_panel = panel
        return panel

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal":
            return self.card is not None and not self.revealed
        if action == "good":
            return self.revealed
        if action == "grade":
            # Before the answer: listed by `?` (None: shown disabled), not run.
            return True if self.revealed else None
        if action == "run_command":
            if self.card is None or self.card.run is None:
                return False
            # No spoilers: a card's output gives its answer away.
            return self._runnable() or None
        if action == "card_info":
            return self.card is not None
        return True

    def on_review_screen_card_shown(self, message: CardShown) -> None:
        panel = self.run_panel(create=message.card.run is not None)
        if panel is not None:
            panel.show_card(message.card)

    def on_run_panel_output_shown(self, message: RunPanel.OutputShown) -> None:
        if message.shown != self._output_shown:
            self._answer_in_view = False
        self._output_shown = message.shown
        self.call_after_refresh(self._fit_output)

    def _fit_output(self) -> None:
        """Room for a run's output under the card. Both in full when they fit. Otherwise the
        smaller part keeps its own height and the other one takes the rest: an output that
        needs at most half the height sits under the card (which scrolls, showing its
        answer); a longer one takes what the card leaves, the card keeping what it needs up
        to half the height (-with-output). A new card gets the whole height back."""
        panel = self.run_panel()
        if not self._output_shown or panel is None:
            self.remove_class("-with-output")
            return
        scroll = self.query_one("#card-scroll", VerticalScroll)
        available = scroll.outer_size.height + self.query_one("#panels").outer_size.height
        card_needs = self.query_one("#card", CardView).outer_size.height
        output_needs = panel.wanted_height()
        fits = card_needs + output_needs <= available
        squeeze = not fits and output_needs > available // 2
        squeezed = self.has_class("-with-output")
        self.set_class(squeeze, "-with-output")
        if not fits and self.revealed and (squeeze != squeezed or not self._answer_in_view):
            self._answer_in_view = True
            self.call_after_refresh(
                scroll.scroll_to_widget, self.query_one("#card-back"), animate=False, top=True
            )

    def on_run_panel_confirmation_needed(self, request: RunPanel.ConfirmationNeeded) -> None:
        """A card file's command has not been confirmed yet: ask, and tell the panel."""
        from studyapp.tui.screens.confirm_run import ask_to_run

        ask_to_run(self.app, request)

    def action_run_command(self) -> None:
        panel = self.run_panel()
        if panel is not None:
            panel.request_run()

    async def action_stop_command(self) -> None:
        panel = self.run_panel()
        if panel is not None:
            await panel.stop()

    def action_scroll_card(self, how: str) -> None:
        scroll = self.query_one("#card-scroll", VerticalScroll)
        {
            "down": scroll.scroll_down,
            "up": scroll.scroll_up,
            "page_down": scroll.scroll_page_down,
            "page_up": scroll.scroll_page_up,
        }[how](animate=False)

    async def action_good(self) -> None:
        await self.action_grade(GOOD)

    async def action_reveal(self) -> None:
        if self.card is not None and not self.revealed:
            await self._set_revealed(True)

    def action_card_info(self) -> None:
        from studyapp.tui.screens.card_info import CardInfoScreen

        if self.card is not None:
            self.app.push_screen(CardInfoScreen(self.study, self.card.id))

    async def action_grade(self, rating: int) -> None:
        if self.card is None or not self.revealed:
            return
        duration_ms = int((time.monotonic() - self._shown_at) * 1000)
        # Committed to the store before the next card is shown; if that fails (a lock held
        # too long, a full disk) the card stays on screen, ungraded, to be answered again.
        try:
            self.session.grade(rating, duration_ms)
        except StoreError as exc:
            self._store_failed(exc, "Grade not saved")
            return
        await self.show_current()

    async def on_rating_bar_rated(self, message: RatingBar.Rated) -> None:
        await self.action_grade(message.rating)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "show-answer":
            await self._set_revealed(True)

    def _store_failed(self, exc: StoreError, title: str) -> None:
        self.notify(str(exc), title=title, severity="error", markup=False)

    async def action_undo(self) -> None:
        try:
            undone = self.session.undo()
        except StoreError as exc:  # also: another instance changed the card since
            self._store_failed(exc, "Not undone")
            return
        if undone:
            self.notify(_UNDONE[undone])
            await self.show_current()
        else:
            self.notify("Nothing to undo.", severity="warning")

    async def action_suspend_card(self) -> None:
        await self._set_aside(self.session.suspend, "Suspended", "Not suspended")

    async def action_bury(self) -> None:
        await self._set_aside(self.session.bury, "Buried until tomorrow", "Not buried")

    async def _set_aside(self, act: Callable[[], None], done: str, failed: str) -> None:
        """Suspend or bury the current card (`act`), say so, and show the next one."""
        if self.card is None:
            return
        title = self.card.title
        try:
            act()
        except StoreError as exc:
            self._store_failed(exc, failed)
            return
        self.notify(f"{done}: {title}", markup=False)
        await self.show_current()

    async def action_edit(self) -> None:
        if self.card is None:
            return
        location = self.card.location
        try:
            command = editor_command(location.path, location.line)
        except NoEditorError as exc:
            self.notify(str(exc), severity="error")
            return
        try:
            try:
                with self.app.suspend():
                    subprocess.run(command, check=False)
            except SuspendNotSupported:
                # Headless (tests, benchmarks): no terminal to hand over; run it detached.
                subprocess.run(
                    command,
                    check=False,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
        except OSError as exc:
            self.notify(f"Could not start the editor: {exc}", severity="error")
            return
        try:
            self.study.reload()
        except StoreError as exc:  # the edited cards are loaded; only their sighting failed
            self._store_failed(exc, "Reloaded, but not saved")
        await self.show_current(keep_side=True)
        for error in self.study.errors:
            if error.location.path == location.path:
                self.notify(str(error), severity="error", markup=False)
