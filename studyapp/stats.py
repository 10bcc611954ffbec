"""Review statistics: reviews per study day, the due forecast, true retention, card states.

Plain computation over values taken beforehand (`StatsInput`) and the review log's rows, so
the app can compute them off its UI thread with a connection of its own.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from studyapp.records import STATE_NAMES, CardState, ReviewKind, datetime_to_ms, state_name

if TYPE_CHECKING:
    from studyapp.memory_states import Recomputed

STATS_WEEKS = 26
FORECAST_DAYS = 30
RETENTION_DAYS = 30


@dataclass(frozen=True)
class PassRate:
    """Answers of one kind in the last RETENTION_DAYS, and how many were not Again."""

    passed: int = 0
    answered: int = 0

    @property
    def share(self) -> float | None:
        return self.passed / self.answered if self.answered else None

    def describe(self) -> str:
        if not self.answered:
            return f"no answers in the last {RETENTION_DAYS} days"
        return f"{self.passed / self.answered:.1%} of {self.answered} passed"


@dataclass(frozen=True)
class Stats:
    reviews_per_day: dict[date, int]  # every study day of the last weeks, oldest first
    forecast: list[int]  # cards due on each of the next days; [0] is today (and overdue)
    true_retention: float | None  # share of review-kind answers that were not Again
    by_state: dict[str, int]  # new / learning / review / relearning / suspended
    memory_states: Recomputed | None = None  # when they were last recomputed from the log
    # True retention counts review cards only (as Anki's); learning and relearning steps,
    # all a new learner has answered for days, are counted beside it.
    review_answers: PassRate = PassRate()
    learning_answers: PassRate = PassRate()


@dataclass(frozen=True)
class StatsInput:
    """What the stats need besides the review log, taken at one moment."""

    states: Sequence[CardState]  # one per card in the sources
    now: datetime
    today: date  # the current study day
    weeks: int
    tz: tzinfo
    day_start_hour: int
    memory_states: Recomputed | None = None

    @property
    def first_day(self) -> date:
        return self.today - timedelta(days=self.weeks * 7 - 1)

    def day_starts(self, first: date, count: int) -> list[datetime]:
        """UTC start of `count` study days from `first`, plus the start of the day after
        (computed per day, so a DST change moves the boundary as it should)."""
        hour = time(self.day_start_hour)
        return [
            datetime.combine(first + timedelta(days=n), hour, tzinfo=self.tz).astimezone(UTC)
            for n in range(count + 1)
        ]

    @property
    def reviews_from(self) -> datetime:
        """The oldest review the stats look at."""
        return self.day_starts(self.first_day, 0)[0]


def compute_stats(given: StatsInput, reviews: Sequence[tuple[int, ReviewKind, int]]) -> Stats:
    """`reviews`: (id in epoch ms, kind, rating) since `given.reviews_from`, oldest first."""
    days_count = given.weeks * 7
    first_day = given.first_day
    per_day = dict.fromkeys((first_day + timedelta(days=n) for n in range(days_count)), 0)
    days = list(per_day)
    # Day boundaries computed once, then each review found by bisection.
    starts_ms = [datetime_to_ms(start) for start in given.day_starts(first_day, days_count)]
    retention_since = datetime_to_ms(given.now - timedelta(days=RETENTION_DAYS))
    passed = answered = learning_passed = learning_answered = 0
    for review_id, kind, rating in reviews:
        index = bisect_right(starts_ms, review_id) - 1
        if 0 <= index < days_count:
            per_day[days[index]] += 1
        if review_id < retention_since:
            continue
        if kind is ReviewKind.REVIEW:
            answered += 1
            passed += rating > 1
        elif kind in (ReviewKind.LEARN, ReviewKind.RELEARN):
            learning_answered += 1
            learning_passed += rating > 1
    forecast = [0] * FORECAST_DAYS
    future_starts = given.day_starts(given.today, FORECAST_DAYS)[1:]
    by_state = Counter(dict.fromkeys(STATE_NAMES, 0))
    for state in given.states:
        by_state[state_name(state)] += 1
        if state.suspended or state.is_new or state.due is None:
            continue
        offset = bisect_right(future_starts, state.due)  # overdue counts for today
        if offset < FORECAST_DAYS:
            forecast[offset] += 1
    return Stats(
        reviews_per_day=per_day,
        forecast=forecast,
        true_retention=passed / answered if answered else None,
        by_state=dict(by_state),
        memory_states=given.memory_states,
        review_answers=PassRate(passed, answered),
        learning_answers=PassRate(learning_passed, learning_answered),
    )


def stats_to_json(stats: Stats) -> dict[str, Any]:
    return {
        "reviews_per_day": {day.isoformat(): count for day, count in stats.reviews_per_day.items()},
        "forecast": list(stats.forecast),
        "true_retention": stats.true_retention,
        "review_answers": {
            "passed": stats.review_answers.passed,
            "answered": stats.review_answers.answered,
        },
        "learning_answers": {
            "passed": stats.learning_answers.passed,
            "answered": stats.learning_answers.answered,
        },
        "by_state": dict(stats.by_state),
        "memory_states": None
        if stats.memory_states is None
        else {
            "recomputed_at": stats.memory_states.at.isoformat(),
            "cards": stats.memory_states.cards,
            "engine": stats.memory_states.engine,
            "reason": stats.memory_states.reason,
        },
    }
