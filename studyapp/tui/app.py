"""The Textual app: screens over one `Study`, global keys, command palette entries."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme

from studyapp.clock import (
    DAYS_AHEAD_VARIABLE,
    ClockSettingError,
    ShiftedClock,
    clock_from_environment,
)
from studyapp.settings import SettingsError
from studyapp.store import StoreError
from studyapp.study import Study
from studyapp.tui.screens.deck_list import DeckListScreen
from studyapp.tui.styles_dir import start_sheets

if TYPE_CHECKING:
    from studyapp.runner.services import ServiceManager

# Screens other than the deck list (and the review screen it opens) are imported when first
# shown: start-up to the first card needs none of them.

EXIT_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


class StudyApp(App[int]):
    """Offline review of the Markdown cards; the `Study` is built by the caller."""

    TITLE = "Celery SRS"
    SUB_TITLE = "study"
    # app.tcss first, then every sheet in styles/ but those screens load when first shown.
    CSS_PATH: ClassVar[list[str | PurePath]] = [*start_sheets()]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
        # A learner expects Ctrl-C to end a terminal program (Textual's default only says
        # "press Ctrl+Q"); the exit stops every service the app started, as on SIGINT.
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("escape", "back", "Back"),
        Binding("question_mark", "toggle_keys", "Keys", key_display="?"),
        Binding("S", "show_services", "Services", show=False),
        Binding("W", "start_worker", "Start worker", show=False),
    ]

    def __init__(self, study: Study, notice: str | None = None) -> None:
        super().__init__()
        self.study = study
        self._notice = notice  # e.g. what the sync at start did
        # The study's cards and states live as long as the app: moved out of the cyclic
        # collector's view, the passes that start-up's many new objects trigger stay short
        # (with 10,000 cards each full pass re-scanned them all).
        gc.freeze()
        self._services: ServiceManager | None = None

    @property
    def services(self) -> ServiceManager:
        """Commands started from cards that keep running (worker, beat, Flower...); made at
        first use, so a start that runs nothing does not load the runner (psutil, processes)."""
        if self._services is None:
            from studyapp.runner.services import ServiceManager

            self._services = ServiceManager()
        return self._services

    def on_mount(self) -> None:
        # SIGTERM/SIGHUP/SIGINT end the app through its normal exit, so on_unmount stops
        # every service it started (they run in their own sessions and would outlive it).
        loop = asyncio.get_running_loop()
        for sig in EXIT_SIGNALS:
            loop.add_signal_handler(sig, self.exit)
        clock = self.study.clock
        if isinstance(clock, ShiftedClock):  # never a surprise: the header says so
            ahead = f"{clock.days} day{'' if clock.days == 1 else 's'}"
            self.sub_title = f"clock {ahead} ahead ({DAYS_AHEAD_VARIABLE})"
        # The theme picked with Ctrl-P is kept in settings.toml for the next start.
        if self.study.settings.theme in self.available_themes:
            self.theme = self.study.settings.theme
        self.theme_changed_signal.subscribe(self, self._keep_theme)
        if self._notice:
            self.notify(self._notice, title="Anki", markup=False)

    def _keep_theme(self, theme: Theme) -> None:
        if theme.name == self.study.settings.theme:
            return
        try:
            self.study.update_settings(replace(self.study.settings, theme=theme.name))
        except (SettingsError, StoreError) as exc:
            self.notify(str(exc), title="Theme not saved", severity="warning", markup=False)

    async def on_unmount(self) -> None:
        if self._services is not None:
            await self._services.stop_all()
        loop = asyncio.get_running_loop()
        for sig in EXIT_SIGNALS:
            loop.remove_signal_handler(sig)

    def action_show_services(self) -> None:
        from studyapp.tui.screens.services import ServicesScreen

        if not isinstance(self.screen, ServicesScreen):
            self.push_screen(ServicesScreen(self.services))

    async def action_start_worker(self) -> None:
        from studyapp.tui.screens.services import start_demo_worker

        await start_demo_worker(self, self.services)

    def get_default_screen(self) -> Screen[None]:
        return DeckListScreen(self.study)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # "Back" only where there is somewhere to go back to.
        if action == "back":
            return len(self.screen_stack) > 1
        return True

    def action_toggle_keys(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_show_stats(self) -> None:
        from studyapp.tui.screens.stats import StatsScreen

        if not isinstance(self.screen, StatsScreen):
            self.push_screen(StatsScreen(self.study))

    def action_show_browse(self) -> None:
        from studyapp.tui.screens.browse import BrowseScreen

        if not isinstance(self.screen, BrowseScreen):
            self.push_screen(BrowseScreen(self.study))

    def action_show_settings(self) -> None:
        from studyapp.tui.screens.settings import SettingsScreen

        if not isinstance(self.screen, SettingsScreen):
            self.push_screen(SettingsScreen(self.study))

    def action_show_decks(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Decks", "Back to the deck list", self.action_show_decks)
        yield SystemCommand("Stats", "Reviews, forecast, retention", self.action_show_stats)
        yield SystemCommand("Browse", "Search cards and their history", self.action_show_browse)
        yield SystemCommand("Settings", "Retention, limits, steps", self.action_show_settings)
        yield SystemCommand("Services", "Worker, beat, Flower run here", self.action_show_services)


def run_app(paths: Sequence[Path], data_dir: Path) -> int:
    """Open the study app on `paths`; the exit status for the CLI."""
    try:
        clock = clock_from_environment(os.environ)
    except ClockSettingError as exc:
        print(f"studyapp: {exc}", file=sys.stderr)
        return 1
    notice = _sync_with_anki(paths, data_dir, at_start=True)
    try:
        study = Study.open(list(paths), data_dir, clock)
    except (SettingsError, StoreError) as exc:
        print(f"studyapp: {exc}", file=sys.stderr)
        return 1
    try:
        result = StudyApp(study, notice).run()
    finally:
        study.close()
        _sync_with_anki(paths, data_dir, at_start=False)
        _back_up(data_dir)
    return result or 0


def _sync_with_anki(paths: Sequence[Path], data_dir: Path, at_start: bool) -> str | None:
    """Sync by itself with the Anki collection synced before (at start, else the offer of
    a first sync with a profile holding the deck); the line about it, also printed."""
    from studyapp.ankisync import auto

    line = auto.sync_by_itself(paths, data_dir)
    if line is None and at_start:
        line = auto.offer_first_sync(paths, data_dir, auto.ask_on_terminal)
    if line:
        print(f"studyapp: {line}", file=sys.stderr)
    return line


def _back_up(data_dir: Path) -> None:
    """A progress backup on the way out (at most one an hour, see studyapp.backups)."""
    from studyapp.backups import BackupError, backup_if_due
    from studyapp.clock import SystemClock

    try:
        backup_if_due(data_dir, SystemClock())
    except BackupError as exc:
        print(f"studyapp: {exc}", file=sys.stderr)
