"""Interval fuzz: spread review intervals a little so cards learnt together do not stay together.

The bands are Anki's (fsrs uses the same): intervals under 2.5 days are left alone; beyond,
the spread grows by 15% of each day up to 7 days, 10% up to 20 days and 5% after, plus one
day. The day is drawn uniformly from the integers of that range, from a generator seeded by
the caller, so the interval a rating button shows is exactly the one the grade then gives.
"""

from __future__ import annotations

import math
import random

FUZZ_FROM_DAYS = 2.5
FUZZ_BANDS = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.10), (20.0, math.inf, 0.05))  # start, end, share


def fuzz_range(days: int, maximum_days: int) -> tuple[int, int]:
    """The lowest and highest day a `days` interval may become (both included)."""
    spread = 1.0
    for start, end, share in FUZZ_BANDS:
        spread += share * max(min(float(days), end) - start, 0.0)
    high = min(round(days + spread), maximum_days)
    low = min(max(2, round(days - spread)), high)
    return low, high


def fuzzed_days(days: int, seed: int, maximum_days: int) -> int:
    if days < FUZZ_FROM_DAYS:
        return days
    low, high = fuzz_range(days, maximum_days)
    return random.Random(seed).randint(low, high)
