"""Interval fuzz: uniform over the integers of Anki's range, never outside it."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import fsrs
import pytest
from core_support import OpenStudy, titled, write_deck

from studyapp.clock import ManualClock
from studyapp.fuzz import fuzz_range, fuzzed_days
from studyapp.scheduler import Scheduler
from studyapp.settings import Settings

SEEDS = 6000


@pytest.mark.parametrize(
    ("days", "low", "high"), [(3, 2, 4), (8, 6, 10), (30, 27, 33), (100, 93, 107)]
)
def test_fuzz_draws_every_day_of_the_range_equally_often(days: int, low: int, high: int) -> None:
    assert fuzz_range(days, 36500) == (low, high)
    counts = Counter(fuzzed_days(days, seed, 36500) for seed in range(SEEDS))
    assert set(counts) == set(range(low, high + 1)), "every day drawn, none outside"
    expected = SEEDS / (high - low + 1)
    for day, count in counts.items():
        assert abs(count - expected) < expected * 0.2, (day, count, expected)


def test_short_intervals_and_the_maximum_are_kept() -> None:
    assert {fuzzed_days(2, seed, 36500) for seed in range(200)} == {2}
    assert {fuzzed_days(100, seed, 100) for seed in range(500)} <= set(range(93, 101))


def test_scheduler_fuzzes_the_review_interval_fsrs_gives(
    open_study: OpenStudy, cards_dir: Path, clock: ManualClock
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(1))
    study = open_study()
    state = study.state(study.cards[0].id)
    plain = Scheduler(Settings(fuzz=False))
    fuzzed = Scheduler(Settings(fuzz=True))
    now = clock.now()
    unfuzzed_days = plain.preview(state, now)[fsrs.Rating.Easy] / timedelta(days=1)
    low, high = fuzz_range(round(unfuzzed_days), 36500)
    preview = fuzzed.preview(state, now)[fsrs.Rating.Easy]
    graded, _ = fuzzed.grade(state, fsrs.Rating.Easy, now, 1000)
    assert graded.due is not None and graded.due - now == preview
    assert low <= preview / timedelta(days=1) <= high
    # Learning steps are never fuzzed.
    assert (
        fuzzed.preview(state, now)[fsrs.Rating.Again]
        == plain.preview(state, now)[fsrs.Rating.Again]
    )
