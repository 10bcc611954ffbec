"""Pilot-driven review flows, checked against what the store holds afterwards."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from test_tui_support import TERMINAL, TUI_START, open_deck, open_fixture_study
from textual.notifications import SeverityLevel
from textual.widgets import Button, DataTable, Markdown

from deckgen.cardformat.card_types import question_markdown
from studyapp.clock import ManualClock
from studyapp.records import Phase
from studyapp.store import Store
from studyapp.study import Study
from studyapp.tui.app import StudyApp
from studyapp.tui.screens.deck_list import DeckListScreen
from studyapp.tui.screens.review import ReviewScreen
from studyapp.tui.screens.summary import SummaryScreen
from studyapp.tui.widgets.card_view import CardView


@dataclass(frozen=True)
class Note:
    message: str
    title: str
    severity: str


class NotedApp(StudyApp):
    """The study app, keeping every notification it shows (through the public `notify`)."""

    def __init__(self, study: Study) -> None:
        super().__init__(study)
        self.notes: list[Note] = []

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        **options: Any,
    ) -> None:
        self.notes.append(Note(message, title, severity))
        super().notify(message, title=title, severity=severity, **options)


@pytest.fixture
def fixture_study(tmp_path: Path) -> Iterator[tuple[Study, ManualClock]]:
    study, clock = open_fixture_study(tmp_path)
    yield study, clock
    study.close()


def stored_history(study: Study, card_id: str) -> list[int]:
    """Ratings as a second connection sees them: proves each grade was committed."""
    store = Store.open(study.data_dir)
    try:
        return [entry.rating for entry in store.history(card_id)]
    finally:
        store.close()


def stored_state(study: Study, card_id: str) -> Phase | str:
    store = Store.open(study.data_dir)
    try:
        state = store.load_states()[card_id]
    finally:
        store.close()
    return "suspended" if state.suspended else state.phase


def review_screen(app: StudyApp) -> ReviewScreen:
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


def front_text(app: StudyApp) -> str:
    return app.screen.query_one("#card-front", Markdown).source


async def test_full_review_reveal_grade_undo_suspend_finish(
    fixture_study: tuple[Study, ManualClock],
) -> None:
    study, _ = fixture_study
    app = StudyApp(study)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_deck(pilot, app, "Celery::Workers")
        assert screen.card is not None and screen.card.id == "worker-start"
        assert "starts a worker" in front_text(app)
        card_view = screen.query_one("#card", CardView)
        assert not card_view.revealed
        assert not screen.query_one("#ratings").display

        await pilot.press("3")  # grading before the answer shows does nothing
        assert stored_history(study, "worker-start") == []

        await pilot.press("space")
        assert card_view.revealed
        intervals = screen.session.intervals()
        for rating in range(1, 5):
            label = screen.query_one(f"#rate-{rating}", Button).label
            assert intervals[rating] in str(label)

        await pilot.press("3")
        assert stored_history(study, "worker-start") == [3]
        assert stored_state(study, "worker-start") == Phase.LEARNING
        assert screen.card is not None and screen.card.id == "shared-task"

        await pilot.press("u")
        assert stored_history(study, "worker-start") == []
        assert stored_state(study, "worker-start") == Phase.NEW
        assert screen.card is not None and screen.card.id == "worker-start"
        assert not card_view.revealed

        await pilot.press("space", "4")  # Easy: graduates, not back today
        assert stored_history(study, "worker-start") == [4]
        assert stored_state(study, "worker-start") == Phase.REVIEW

        assert screen.card is not None and screen.card.id == "shared-task"
        await pilot.press("s")
        assert stored_state(study, "shared-task") == "suspended"
        assert stored_history(study, "shared-task") == []

        assert screen.card is not None and screen.card.id == "worker-ping"
        await pilot.press("space")
        run_source = screen.query_one("#card-run", Markdown).source
        assert "celery -A config.celery_app inspect ping" in run_source
        assert screen.query_one("#card-run").display
        await pilot.press("space")  # Space on the back means Good
        assert stored_history(study, "worker-ping") == [3]
        # Still learning: it comes back in this session (learn-ahead), answered Easy now.
        assert screen.card is not None and screen.card.id == "worker-ping"
        await pilot.press("enter", "4")
        assert stored_history(study, "worker-ping") == [3, 4]

        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        summary = app.screen.summary
        assert (summary.reviewed, summary.good, summary.easy) == (3, 1, 2)

        await pilot.press("escape")
        assert isinstance(app.screen, DeckListScreen)
        table = app.screen.query_one("#decks", DataTable)
        workers = table.get_row("Celery::Workers")
        assert [str(cell) for cell in workers[1:]] == ["0", "0", "0"]


async def test_bury_hides_the_card_until_the_next_study_day(
    fixture_study: tuple[Study, ManualClock],
) -> None:
    study, _ = fixture_study
    app = StudyApp(study)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_deck(pilot, app, "Celery::Beat")
        assert screen.card is not None and screen.card.id == "beat-schedule"
        await pilot.press("b")  # only this card: its cloze sibling (c2) comes next
        assert screen.card is not None and screen.card.id == "beat-schedule:c2"
    store = Store.open(study.data_dir)
    try:
        buried = store.load_states()["beat-schedule"].buried_until
    finally:
        store.close()
    assert buried is not None and buried > study.clock.now()


async def test_cloze_front_hides_the_deletions_and_back_fills_them(
    fixture_study: tuple[Study, ManualClock],
) -> None:
    study, _ = fixture_study
    app = StudyApp(study)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_deck(pilot, app, "Celery::Beat")
        # Each cloze deletion is its own card, as in Anki: c1 here, c2 shown as text.
        assert front_text(app).startswith("[...] sends due periodic tasks to the broker.")
        await pilot.press("space")
        back = screen.query_one("#card-back", Markdown).source
        assert "celery beat sends due periodic tasks to the broker" in back
    second = study.card("beat-schedule:c2")
    assert second is not None
    assert question_markdown(second).startswith(
        "celery beat sends due periodic tasks to the [where?]"
    )


async def test_edit_opens_the_editor_at_the_card_line_and_reloads(
    fixture_study: tuple[Study, ManualClock], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    study, _ = fixture_study
    # A stand-in editor: records its arguments, then rewrites the card's Front.
    log = tmp_path / "editor-args.txt"
    editor = tmp_path / "fake-editor"
    editor.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > {log}\n'
        "sed -i 's/Which command starts a worker/What starts a worker/' \"$2\"\n",
        encoding="utf-8",
    )
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    app = StudyApp(study)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_deck(pilot, app, "Celery::Workers")
        assert screen.card is not None
        location = screen.card.location
        await pilot.press("e")
        await pilot.pause()
        assert log.read_text(encoding="utf-8").split() == [f"+{location.line}", str(location.path)]
        assert screen.card is not None and screen.card.id == "worker-start"
        assert "What starts a worker" in front_text(app)
    assert os.path.exists(location.path)


async def test_problems_panel_lists_card_errors_as_path_line_message(tmp_path: Path) -> None:
    study, _ = open_fixture_study(tmp_path, broken=True)
    app = StudyApp(study)
    try:
        async with app.run_test(size=TERMINAL):
            panel = app.screen.query_one("#problems")
            assert panel.display
            text = str(app.screen.query_one("#problems-text").content)  # type: ignore[attr-defined]
            broken = tmp_path / "cards" / "broken.md"
            assert text == f"{broken}:3: card 'No back side' has no **Back:**"
            assert "Traceback" not in text
            # The good cards still open, the broken file's good card among them.
            table = app.screen.query_one("#decks", DataTable)
            assert str(table.get_row("Broken")[1]) == "1"
    finally:
        study.close()


async def test_no_cards_says_where_it_looked(tmp_path: Path) -> None:
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    study = Study.open([empty], tmp_path / "data", ManualClock(TUI_START))
    app = StudyApp(study)
    try:
        async with app.run_test(size=TERMINAL) as pilot:
            message = str(app.screen.query_one("#empty-message").content)  # type: ignore[attr-defined]
            assert f"No cards found. Looked in: {empty}" in message
            assert not app.screen.query_one("#decks").display
            problems = str(app.screen.query_one("#problems-text").content)  # type: ignore[attr-defined]
            assert problems.startswith(f"{empty}:1: ")
            await pilot.press("enter")
            assert isinstance(app.screen, DeckListScreen)
    finally:
        study.close()


async def test_a_store_error_is_a_notification_and_the_card_stays(
    fixture_study: tuple[Study, ManualClock],
) -> None:
    study, _ = fixture_study
    study.store.close()
    study.store = Store.open(study.data_dir, busy_timeout_ms=50)  # give up on a lock quickly
    app = NotedApp(study)
    blocker = sqlite3.connect(study.store.path, isolation_level=None)
    try:
        async with app.run_test(size=TERMINAL) as pilot:
            screen = await open_deck(pilot, app, "Celery::Workers")
            await pilot.press("space")
            blocker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
            for key in ("1", "s", "b"):
                await pilot.press(key)
            await pilot.pause()
            errors = [note for note in app.notes if note.severity == "error"]
            assert [note.title for note in errors] == [
                "Grade not saved",
                "Not suspended",
                "Not buried",
            ]
            assert all("database is locked" in note.message for note in errors)
            assert app.screen is screen and screen.card is not None
            assert screen.card.id == "worker-start" and screen.revealed
            blocker.execute("ROLLBACK")

            assert stored_history(study, "worker-start") == [], "nothing was recorded"
            assert stored_state(study, "worker-start") == Phase.NEW
            await pilot.press("3")  # the lock is gone: the same card can be answered now
            assert stored_history(study, "worker-start") == [3]
            assert screen.card is not None and screen.card.id == "shared-task"

            blocker.execute("BEGIN EXCLUSIVE")
            await pilot.press("u")
            await pilot.pause()
            assert [note.title for note in app.notes][-1] == "Not undone"
            assert screen.card.id == "shared-task"
            blocker.execute("ROLLBACK")
            assert stored_history(study, "worker-start") == [3], "the grade stays"
    finally:
        blocker.close()


async def test_undo_takes_back_a_bury(fixture_study: tuple[Study, ManualClock]) -> None:
    study, _ = fixture_study
    app = NotedApp(study)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_deck(pilot, app, "Celery::Beat")
        await pilot.press("b")
        assert screen.card is not None and screen.card.id == "beat-schedule:c2"
        await pilot.press("u")
        await pilot.pause()
        assert [note.message for note in app.notes][-1] == "Bury undone."
        assert screen.card is not None and screen.card.id == "beat-schedule"
    store = Store.open(study.data_dir)
    try:
        assert store.load_states()["beat-schedule"].buried_until is None
    finally:
        store.close()
