"""Interval fuzz: Anki's ranges, uniform over their days, never outside them."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from core_support import OpenStudy, titled, write_deck

from studyapp.clock import ManualClock
from studyapp.fuzz import (
    fuzz_bounds,
    fuzz_factor,
    fuzzed_step_seconds,
    minimum_review_fuzz_interval,
    with_review_fuzz,
)
from studyapp.scheduler import Rating, Scheduler
from studyapp.settings import Settings

SEEDS = 6000


@pytest.mark.parametrize(
    ("days", "low", "high"), [(3, 2, 4), (8, 6, 10), (30, 27, 33), (100, 93, 107)]
)
def test_fuzz_draws_every_day_of_the_range_equally_often(days: int, low: int, high: int) -> None:
    assert fuzz_bounds(days, 1, 36500) == (low, high)
    counts = Counter(with_review_fuzz(fuzz_factor(seed), days, 1, 36500) for seed in range(SEEDS))
    assert set(counts) == set(range(low, high + 1)), "every day drawn, none outside"
    expected = SEEDS / (high - low + 1)
    for day, count in counts.items():
        assert abs(count - expected) < expected * 0.2, (day, count, expected)


def test_short_intervals_the_minimum_and_the_maximum_are_kept() -> None:
    assert {with_review_fuzz(fuzz_factor(seed), 2.4, 1, 36500) for seed in range(200)} == {2}
    assert {with_review_fuzz(fuzz_factor(s), 100, 1, 100) for s in range(500)} <= set(
        range(93, 101)
    )
    # Below a minimum, the range is the minimum's own, cut off at the minimum (as Anki).
    assert fuzz_bounds(3.0, 9, 36500) == (9, 11)
    assert fuzz_bounds(2.0, 3, 36500) == (3, 4)
    assert with_review_fuzz(None, 2.5, 1, 36500) == 3, "half days round up, as Rust does"


def test_a_passing_review_never_shrinks_through_fuzz_alone() -> None:
    assert minimum_review_fuzz_interval(12.4, 10, 36500) == 11  # grew: at least one more
    assert minimum_review_fuzz_interval(9.8, 10, 36500) == 10  # about the same: no less
    assert minimum_review_fuzz_interval(3.0, 10, 36500) == 0  # shrank for real: free


def test_learning_steps_get_at_most_a_quarter_and_five_minutes_more() -> None:
    one_minute = {fuzzed_step_seconds(60, seed) for seed in range(500)}
    assert one_minute == set(range(60, 75))
    assert {fuzzed_step_seconds(3600, seed) for seed in range(500)} <= set(range(3600, 3900))


def test_scheduler_fuzzes_the_review_interval_and_shows_what_it_gives(
    open_study: OpenStudy, cards_dir: Path, clock: ManualClock
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(1))
    study = open_study()
    state = study.state(study.cards[0].id)
    plain = Scheduler(Settings(fuzz=False))
    fuzzed = Scheduler(Settings(fuzz=True))
    now = clock.now()
    unfuzzed_days = plain.preview(state, now)[Rating.EASY] / timedelta(days=1)
    low, high = fuzz_bounds(unfuzzed_days, 3, 36500)
    preview = fuzzed.preview(state, now)[Rating.EASY]
    graded, _ = fuzzed.grade(state, Rating.EASY, now, 1000)
    assert timedelta(days=fuzzed.scheduled_days(graded)) == preview
    assert low <= preview / timedelta(days=1) <= high
    # Learning steps get their own, smaller fuzz, on the due time only: the button shows the
    # step itself, as Anki's does.
    assert fuzzed.preview(state, now)[Rating.AGAIN] == timedelta(minutes=1)
    again, _ = fuzzed.grade(state, Rating.AGAIN, now, 1000)
    assert again.due is not None
    assert timedelta(minutes=1) <= again.due - now < timedelta(minutes=1, seconds=15)
