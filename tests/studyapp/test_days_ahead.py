"""STUDYAPP_DAYS_AHEAD: the next study day without waiting, through the injected clock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from core_support import START, titled, write_deck
from test_tui_support import open_deck

from studyapp.clock import (
    DAYS_AHEAD_VARIABLE,
    ClockSettingError,
    ManualClock,
    ShiftedClock,
    clock_from_environment,
)
from studyapp.session import ReviewSession
from studyapp.settings import Settings, save_settings
from studyapp.study import Study
from studyapp.tui.app import StudyApp

STUDYAPP = Path(sys.executable).parent / "studyapp"
EASY = 4


def test_the_variable_moves_the_clock_by_whole_days() -> None:
    base = ManualClock(START)
    assert clock_from_environment({}, base) is base
    assert clock_from_environment({DAYS_AHEAD_VARIABLE: "0"}, base) is base
    ahead = clock_from_environment({DAYS_AHEAD_VARIABLE: "3"}, base)
    assert ahead.now() == START + timedelta(days=3)
    assert ahead.local_tz() is base.local_tz()
    base.advance(timedelta(minutes=5))  # it follows the clock it shifts
    assert ahead.now() == START + timedelta(days=3, minutes=5)
    for bad in ("tomorrow", "1.5", "-1"):
        with pytest.raises(ClockSettingError, match=DAYS_AHEAD_VARIABLE):
            clock_from_environment({DAYS_AHEAD_VARIABLE: bad}, base)


def _studied_today(cards: Path, data: Path) -> int:
    """Two cards answered Easy now (real time); the days until the first is due."""
    write_deck(cards / "deck.md", "Celery", titled(3))
    save_settings(data, Settings(fuzz=False))
    study = Study.open([cards], data)
    try:
        session = ReviewSession(study, None)
        session.grade(EASY)
        session.grade(EASY)
        due = min(study.state(card.id).due for card in study.cards[:2])  # type: ignore[type-var]
        return (study.study_day(due).date - study.today()).days
    finally:
        study.close()


def _stats(cards: Path, data: Path, days_ahead: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != DAYS_AHEAD_VARIABLE}
    if days_ahead is not None:
        env[DAYS_AHEAD_VARIABLE] = days_ahead
    return subprocess.run(
        [str(STUDYAPP), "stats", "--json", "--data-dir", str(data), str(cards)],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip


def test_stats_on_a_later_day_see_the_reviews_due_then(tmp_path: Path) -> None:
    cards, data = tmp_path / "cards", tmp_path / "data"
    days = _studied_today(cards, data)
    assert days >= 2
    today = json.loads(_stats(cards, data, None).stdout)
    assert list(today["reviews_per_day"].values())[-1] == 2
    assert today["forecast"][0] == 0
    later = json.loads(_stats(cards, data, str(days)).stdout)
    assert list(later["reviews_per_day"].values())[-1 - days] == 2, "studied N days ago"
    assert later["forecast"][0] >= 1, "due on that day"
    bad = _stats(cards, data, "tomorrow")
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.strip().endswith(
        f"{DAYS_AHEAD_VARIABLE}='tomorrow': must be a whole number of days (1 = tomorrow)"
    )


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_app_says_its_clock_is_ahead_and_shows_that_days_cards(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    cards, data = tmp_path / "cards", tmp_path / "data"
    write_deck(cards / "deck.md", "Celery", titled(1))
    save_settings(data, Settings(fuzz=False))
    clock = ManualClock(START)
    study = Study.open([cards], data, clock)
    ReviewSession(study, None).grade(EASY)
    due = study.state("topic-0").due
    assert due is not None
    study.close()
    days = (due - START).days + 1
    ahead = Study.open([cards], data, ShiftedClock(clock, days))
    try:
        app = StudyApp(ahead)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            assert app.sub_title == f"clock {days} days ahead ({DAYS_AHEAD_VARIABLE})"
            screen = await open_deck(pilot, app, "Celery")
            assert screen.card is not None and screen.card.id == "topic-0"
            assert str(screen.query_one("#review-status").render()).endswith("Due 1")
    finally:
        ahead.close()
