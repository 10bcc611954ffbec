"""Snapshot tests of the main screens (fixed cards, a manual clock, fuzz off)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from test_tui_support import TERMINAL, open_fixture_study
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from studyapp.clock import ManualClock
from studyapp.session import ReviewSession
from studyapp.study import Study
from studyapp.tui.app import StudyApp

SnapCompare = Callable[..., bool]


@pytest.fixture
def fixture_study(tmp_path: Path) -> Iterator[tuple[Study, ManualClock]]:
    study, clock = open_fixture_study(tmp_path)
    yield study, clock
    study.close()


def study_some_days(study: Study, clock: ManualClock, days: int) -> None:
    """A few weeks of reviews: every due card each day, a lapse now and then."""
    for day in range(days):
        session = ReviewSession(study, None)
        answered = 0
        while (card := session.current()) is not None and answered < 30:
            rating = 1 if (day + len(card.id)) % 5 == 0 and day > 3 else 3
            session.grade(rating, 6000)
            clock.advance(timedelta(minutes=11))
            answered += 1
        clock.advance(timedelta(days=1) - timedelta(minutes=11 * answered))


def open_deck(deck: str, *keys: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()  # let the deck list mount first
        table = pilot.app.screen.query_one("#decks", DataTable)
        table.move_cursor(row=table.get_row_index(deck))
        await pilot.press("enter", *keys)
        await pilot.pause()

    return run_before


def test_deck_list(snap_compare: SnapCompare, fixture_study: tuple[Study, ManualClock]) -> None:
    study, clock = fixture_study
    beat = ReviewSession(study, "Celery::Beat")
    while beat.current() is not None:
        beat.grade(4, 5000)  # Easy: both due again in a few days
    clock.advance(timedelta(days=10))
    ReviewSession(study, "Celery::Workers").grade(1, 5000)  # Again: one card learning
    assert snap_compare(StudyApp(study), terminal_size=TERMINAL)


def test_review_front_with_highlighted_code(
    snap_compare: SnapCompare, fixture_study: tuple[Study, ManualClock]
) -> None:
    study, _ = fixture_study
    # Easy on the first card shows the second one, whose Front holds Python code.
    app = StudyApp(study)
    assert snap_compare(
        app, terminal_size=TERMINAL, run_before=open_deck("Celery::Workers", "space", "4")
    )


def test_review_back_with_intervals(
    snap_compare: SnapCompare, fixture_study: tuple[Study, ManualClock]
) -> None:
    study, _ = fixture_study
    app = StudyApp(study)
    assert snap_compare(
        app, terminal_size=TERMINAL, run_before=open_deck("Celery::Workers", "space")
    )


async def show_stats(pilot: Pilot[Any]) -> None:
    await pilot.press("t")
    await pilot.app.screen.workers.wait_for_complete()  # computed in a thread
    await pilot.pause()


def test_stats(snap_compare: SnapCompare, fixture_study: tuple[Study, ManualClock]) -> None:
    study, clock = fixture_study
    study_some_days(study, clock, 24)
    assert snap_compare(StudyApp(study), terminal_size=(100, 40), run_before=show_stats)


def test_browse(snap_compare: SnapCompare, fixture_study: tuple[Study, ManualClock]) -> None:
    study, clock = fixture_study
    study_some_days(study, clock, 5)
    press = ["slash", *"tag:worker", "enter"]
    assert snap_compare(StudyApp(study), terminal_size=TERMINAL, press=press)


SIZES = [(120, 40), (80, 24)]


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_summary(
    snap_compare: SnapCompare, fixture_study: tuple[Study, ManualClock], size: tuple[int, int]
) -> None:
    study, _ = fixture_study
    keys = ("space", "4", "space", "1", "space", "4")  # Easy, Again, then Easy again
    assert snap_compare(
        StudyApp(study), terminal_size=size, run_before=open_deck("Celery::Beat", *keys)
    )


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_browse_with_details(
    snap_compare: SnapCompare, fixture_study: tuple[Study, ManualClock], size: tuple[int, int]
) -> None:
    study, clock = fixture_study
    study_some_days(study, clock, 5)
    # Wide: the details beside the results; narrow: Enter swaps them in.
    press = ["slash", *"is:review", "enter", "down"] + (["enter"] if size[0] < 110 else [])
    assert snap_compare(StudyApp(study), terminal_size=size, press=press)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_card_info(
    snap_compare: SnapCompare, fixture_study: tuple[Study, ManualClock], size: tuple[int, int]
) -> None:
    study, clock = fixture_study
    study_some_days(study, clock, 8)
    press = ["slash", *"check that workers", "enter", "i"]
    assert snap_compare(StudyApp(study), terminal_size=size, press=press)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_settings(
    snap_compare: SnapCompare,
    fixture_study: tuple[Study, ManualClock],
    size: tuple[int, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    study, _ = fixture_study
    monkeypatch.chdir(study.data_dir.parent)  # the screen names the file relative to here

    async def open_settings(pilot: Pilot[Any]) -> None:
        await pilot.press("comma")
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # the focused field's cursor, drawn steadily

    assert snap_compare(StudyApp(study), terminal_size=size, run_before=open_settings)
