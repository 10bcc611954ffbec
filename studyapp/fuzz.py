"""Interval fuzz: spread review intervals a little so cards learnt together do not stay together.

The bands are fsrs's own (`fsrs.scheduler.FUZZ_RANGES`, the same as Anki's): intervals under
2.5 days are left alone; beyond, the spread grows by 15% of each day up to 7 days, 10% up to
20 days and 5% after, plus one day. The day is drawn uniformly from the integers of that
range, from a generator seeded by the caller, so the interval a rating button shows is exactly
the one the grade then gives.
"""

from __future__ import annotations

import random

from fsrs.scheduler import FUZZ_RANGES

FUZZ_FROM_DAYS = FUZZ_RANGES[0]["start"]


def fuzz_range(days: int, maximum_days: int) -> tuple[int, int]:
    """The lowest and highest day a `days` interval may become (both included)."""
    spread = 1.0
    for band in FUZZ_RANGES:
        spread += band["factor"] * max(min(float(days), band["end"]) - band["start"], 0.0)
    high = min(round(days + spread), maximum_days)
    low = min(max(2, round(days - spread)), high)
    return low, high


def fuzzed_days(days: int, seed: int, maximum_days: int) -> int:
    if days < FUZZ_FROM_DAYS:
        return days
    low, high = fuzz_range(days, maximum_days)
    return random.Random(seed).randint(low, high)
