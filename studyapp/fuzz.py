"""Interval fuzz as Anki applies it, so cards learnt together do not stay together.

Review intervals: the bands are fsrs's own (`fsrs.scheduler.FUZZ_RANGES`, the same as Anki's
`rslib/src/scheduler/states/fuzz.rs`): under 2.5 days no spread; beyond, one day plus 15 % of
each day up to 7 days, 10 % up to 20 days and 5 % after. As in Anki, one fuzz factor in
[0, 1) per answer picks the day inside the range, and the range is first kept within the
answer's minimum (e.g. Good beyond Hard) and the maximum interval.

Learning steps: up to 25 % more, at most 5 minutes (Anki's `learning_ivl_with_fuzz`).

The factor comes from a generator seeded by the caller (card and review count), so the
interval a rating button shows is exactly the one the grade then gives.
"""

from __future__ import annotations

import math
import random

from fsrs.scheduler import FUZZ_RANGES

FUZZ_FROM_DAYS = FUZZ_RANGES[0]["start"]
LEARNING_FUZZ_SHARE = 0.25
LEARNING_FUZZ_MAX_SECONDS = 300


def round_half_up(value: float) -> int:
    """Rust's `f32::round` for the non-negative numbers used here (Python rounds half to even)."""
    return math.floor(value + 0.5)


def fuzz_delta(interval: float) -> float:
    """How many days the interval may move either way."""
    if interval < FUZZ_FROM_DAYS:
        return 0.0
    delta = 1.0
    for band in FUZZ_RANGES:
        delta += band["factor"] * max(min(interval, band["end"]) - band["start"], 0.0)
    return delta


def fuzz_bounds(interval: float, minimum: int, maximum: int) -> tuple[int, int]:
    """The lowest and highest day `interval` may become (both included), within the bounds."""
    minimum = min(minimum, maximum)
    interval = min(max(interval, float(minimum)), float(maximum))
    delta = fuzz_delta(interval)
    lower = min(max(round_half_up(interval - delta), minimum), maximum)
    upper = min(max(round_half_up(interval + delta), minimum), maximum)
    if upper == lower and 2 < upper < maximum:
        upper = lower + 1
    return lower, upper


def with_review_fuzz(factor: float | None, interval: float, minimum: int, maximum: int) -> int:
    """The interval in days: fuzzed by `factor` (None: rounded), within the bounds."""
    if factor is None:
        return min(max(round_half_up(interval), minimum), max(maximum, minimum))
    lower, upper = fuzz_bounds(interval, minimum, maximum)
    return math.floor(lower + factor * (1 + upper - lower))


def minimum_review_fuzz_interval(interval: float, previous_days: int, maximum: int) -> int:
    """The least a passing review may give: more than before when the interval grew, and no
    shrinking from fuzz alone (Anki's `minimum_review_fuzz_interval`)."""
    _, upper = fuzz_bounds(interval, 1, maximum)
    if round_half_up(interval) > previous_days:
        return previous_days + 1
    if previous_days <= upper:
        return previous_days
    return 0


def fuzz_factor(seed: int) -> float:
    return random.Random(seed).random()


def fuzzed_step_seconds(seconds: int, seed: int) -> int:
    """A learning step with up to 25 % (at most 5 minutes) added, drawn from `seed`."""
    upper_exclusive = seconds + math.floor(
        min(seconds * LEARNING_FUZZ_SHARE, LEARNING_FUZZ_MAX_SECONDS)
    )
    if seconds >= upper_exclusive:
        return seconds
    return random.Random(seed).randrange(seconds, upper_exclusive)
