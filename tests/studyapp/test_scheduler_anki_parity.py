"""The terminal schedules as Anki does: the same answers at the same moments, compared with
the anki library's own scheduler (run under faketime, one subprocess for every sequence).

Both sides: FSRS on, TZ=UTC, the settings of each sequence. Compared after every answer: the
phase, stability and difficulty within 1 %, the interval in days (fuzz off), the learning
step and its due time, and the study day a card falls due on.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from anki_parity_support import Sequence, answer_in_terminal, differences, run_in_anki

from studyapp.fuzz import fuzz_bounds
from studyapp.scheduler import Scheduler
from studyapp.settings import Settings

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
PLAIN = Settings(fuzz=False)  # Anki's defaults: steps 1m 10m, relearning 10m, day at 4 am
# A learner's own FSRS-6 weights (every one within the optimizer's bounds), not the defaults.
# fmt: off
CUSTOM_PARAMETERS = (
    0.4, 1.8, 3.5, 12.0, 6.8, 0.6, 2.4, 0.005, 1.6, 0.2, 0.9,
    1.7, 0.08, 0.3, 1.5, 0.5, 2.0, 0.6, 0.1, 0.08, 0.2,
)
# fmt: on

SEQUENCES = [
    Sequence(
        "evening_then_morning",
        [
            ("2026-01-05 23:30:00", GOOD),
            ("2026-01-05 23:40:00", GOOD),  # graduates late in the evening
            ("2026-01-06 05:00:00", GOOD),  # next morning: a new study day, an early review
            ("2026-01-06 21:00:00", GOOD),  # same study day again
            ("2026-01-20 08:00:00", GOOD),
        ],
    ),
    Sequence(
        "just_after_midnight",
        [
            ("2026-01-10 00:10:00", AGAIN),  # still the study day of Jan 9
            ("2026-01-10 00:11:30", GOOD),
            ("2026-01-10 00:25:00", GOOD),
            ("2026-01-12 00:30:00", GOOD),
            ("2026-01-13 00:05:00", HARD),
        ],
    ),
    Sequence(
        "before_and_after_the_rollover_hour",
        [
            ("2026-02-01 06:40:00", GOOD),
            ("2026-02-01 06:55:00", HARD),  # the 10m step reaches past 07:00: due next study day
            ("2026-02-01 07:10:00", GOOD),  # just after the day started
            ("2026-02-03 06:50:00", GOOD),  # just before a day starts
            ("2026-02-03 07:20:00", GOOD),  # and just after it
        ],
        replace(PLAIN, day_start_hour=7),
    ),
    Sequence(
        "same_day_and_early_reviews",
        [
            ("2026-03-01 12:00:00", EASY),
            ("2026-03-01 15:00:00", GOOD),
            ("2026-03-03 12:00:00", GOOD),
            ("2026-03-03 12:05:00", EASY),
            ("2026-03-05 18:00:00", HARD),
        ],
    ),
    Sequence(
        "overdue_reviews",
        [
            ("2026-04-01 10:00:00", GOOD),
            ("2026-04-01 10:10:00", GOOD),
            ("2026-05-15 10:00:00", GOOD),
            ("2026-09-01 18:00:00", HARD),
            ("2027-06-01 09:00:00", EASY),
        ],
    ),
    Sequence(
        "lapses",
        [
            ("2026-05-01 09:00:00", EASY),
            ("2026-05-10 09:00:00", AGAIN),
            ("2026-05-10 09:10:00", HARD),
            ("2026-05-10 09:30:00", GOOD),
            ("2026-05-13 20:00:00", AGAIN),
            ("2026-05-13 20:11:00", EASY),
            ("2026-05-20 09:00:00", AGAIN),
            ("2026-05-21 09:00:00", GOOD),  # the relearning step done the next day
        ],
    ),
    Sequence(
        "custom_parameters_retention_and_maximum",
        [
            ("2026-06-01 08:00:00", HARD),  # Hard on the first step: halfway to the second
            ("2026-06-01 08:06:00", GOOD),
            ("2026-06-01 08:16:00", GOOD),
            ("2026-06-05 08:00:00", GOOD),
            ("2026-07-01 12:00:00", GOOD),
            ("2026-09-01 12:00:00", EASY),  # capped at the maximum interval
            ("2026-09-10 12:00:00", AGAIN),
        ],
        replace(
            PLAIN,
            fsrs_parameters=CUSTOM_PARAMETERS,
            desired_retention=0.85,
            maximum_interval_days=60,
        ),
    ),
    Sequence(
        "custom_steps",
        [
            ("2026-07-01 10:00:00", GOOD),
            ("2026-07-01 10:30:00", HARD),
            ("2026-07-01 11:00:00", GOOD),  # a one-day step: due at the next day start
            ("2026-07-02 09:00:00", GOOD),
            ("2026-07-05 09:00:00", AGAIN),
            ("2026-07-05 09:05:00", GOOD),
            ("2026-07-05 09:25:00", AGAIN),
            ("2026-07-05 09:30:00", GOOD),
            ("2026-07-05 09:50:00", GOOD),
        ],
        replace(
            PLAIN,
            learning_steps_minutes=(5, 30, 1440),
            relearning_steps_minutes=(5, 20),
            desired_retention=0.95,
        ),
    ),
    Sequence(
        "one_step_and_no_relearning_steps",
        [
            ("2026-08-01 10:00:00", HARD),  # Hard on a lone step: half as long again
            ("2026-08-01 10:15:00", GOOD),
            ("2026-08-04 10:00:00", AGAIN),
            ("2026-08-06 10:00:00", GOOD),
        ],
        replace(PLAIN, learning_steps_minutes=(10,), relearning_steps_minutes=()),
    ),
]
# Eastern time across the start of daylight saving (Sunday 8 March 2026: a 23-hour day).
NEW_YORK = [
    Sequence(
        "new_york_across_daylight_saving",
        [
            ("2026-03-06 22:00:00", GOOD),
            ("2026-03-06 22:10:00", GOOD),
            ("2026-03-08 20:00:00", GOOD),  # early, after the clocks went forward
            ("2026-03-09 05:00:00", GOOD),  # just after the day started
            ("2026-03-20 09:00:00", AGAIN),
            ("2026-03-20 09:10:00", GOOD),
            ("2026-03-21 01:00:00", HARD),  # after midnight, before the day starts
        ],
        tz="America/New_York",
    )
]
FUZZ_CARDS = 12
FUZZED = Sequence(
    "fuzzed_easy",
    [("2026-01-05 12:00:00", EASY, card) for card in range(FUZZ_CARDS)],
    replace(PLAIN, fuzz=True),
    cards=FUZZ_CARDS,
)


@pytest.fixture(scope="module")
def anki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run_in_anki(SEQUENCES, tmp_path_factory.mktemp("anki-parity"), fuzz=False)


@pytest.mark.parametrize("sequence", SEQUENCES, ids=lambda sequence: sequence.name)
def test_same_schedule_as_anki(sequence: Sequence, anki: dict[str, Any]) -> None:
    assert differences(sequence, anki[sequence.name]) == []


def test_same_schedule_as_anki_in_another_time_zone(tmp_path: Path) -> None:
    anki = run_in_anki(NEW_YORK, tmp_path, fuzz=False)
    for sequence in NEW_YORK:
        assert differences(sequence, anki[sequence.name]) == []


def test_fuzzed_intervals_fall_in_the_same_range_as_anki(tmp_path: Path) -> None:
    anki_days = {row["ivl"] for row in run_in_anki([FUZZED], tmp_path, fuzz=True)["fuzzed_easy"]}
    terminal = answer_in_terminal(FUZZED)
    scheduler = Scheduler(FUZZED.settings)
    ours = {scheduler.scheduled_days(state) for _, state in terminal}
    # Easy on a new card: Good's interval (2.3 d, too short to fuzz) + 1 is the least.
    low, high = fuzz_bounds(8.0, 3, 36500)
    assert (low, high) == (6, 10)
    assert anki_days <= set(range(low, high + 1)) and len(anki_days) > 1
    assert ours <= set(range(low, high + 1)) and len(ours) > 1
