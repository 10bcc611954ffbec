"""Scheduling as Anki schedules with FSRS on, applied to the app's `CardState`.

Memory states come from fsrs-rs-python, the Python binding of the Rust `fsrs` crate Anki
itself runs: `FSRS(parameters).next_states(memory, desired_retention, days_elapsed)`.
Everything around it follows Anki's scheduler (`rslib/src/scheduler/states/` and
`answering/`), because that is where the two apps used to part ways:

- elapsed time counts **study days**: the days from the last review to the start of the
  next study day (the day starts at `day_start_hour`), not 24-hour periods;
- review cards fall due at the start of a study day;
- learning and relearning steps, the Hard delay on the first step, a step that reaches past
  the next day start becoming a whole-day delay, and graduating intervals, as in Anki;
- passing review intervals never shrink through fuzz alone, and Hard < Good < Easy;
- fuzz from Anki's ranges (`studyapp.fuzz`), drawn from a seed of the card and its review
  count, so the interval a rating button shows is exactly the one the grade gives.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import IntEnum
from itertools import pairwise

from fsrs_rs_python import (
    DEFAULT_PARAMETERS,
    FSRS,
    FSRSItem,
    ItemState,
    MemoryState,
    NextStates,
)

from studyapp.fuzz import (
    fuzz_factor,
    fuzzed_step_seconds,
    minimum_review_fuzz_interval,
    round_half_up,
    with_review_fuzz,
)
from studyapp.queue import study_day
from studyapp.records import (
    LEECH_TAG,
    CardState,
    Phase,
    ReviewKind,
    RevlogEntry,
    datetime_to_ms,
)
from studyapp.settings import Settings

MAX_ANSWER_MS = 60_000  # as Anki: a long pause is not thinking time
SECONDS_PER_DAY = 86_400
DAY_MS = SECONDS_PER_DAY * 1000
SHORT_TERM_BELOW_DAYS = 0.5  # Anki keeps an FSRS interval this short as a step in seconds


class Rating(IntEnum):
    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


@dataclass(frozen=True)
class Outcome:
    """What one rating does to a card: Anki's next `CardState`, before it is stored."""

    phase: Phase
    step: int | None
    memory: MemoryState
    seconds: int | None = None  # a learning step, if the card stays in (re)learning today
    days: int | None = None  # else whole study days: review interval or day-learning delay
    step_fuzz: int = 0  # seconds added to the step's due time (not shown, as in Anki)

    @property
    def button(self) -> timedelta:
        """The interval the rating button shows (whole days once it passes the day start;
        a learning step without its fuzz, as Anki shows it)."""
        if self.days is not None:
            return timedelta(days=self.days)
        return timedelta(seconds=self.seconds or 0)

    @property
    def revlog_interval(self) -> int:
        """Anki's revlog convention: days if positive, seconds if negative."""
        return self.days if self.days is not None else -(self.seconds or 0)


def study_day_start(day: date, tz: tzinfo, day_start_hour: int) -> datetime:
    return datetime.combine(day, time(day_start_hour), tzinfo=tz).astimezone(UTC)


def days_elapsed(last_review: datetime | None, next_day_start: datetime) -> int:
    """Study days since the last review, as Anki counts them: whole days from the review to
    the start of the next study day (a review just before the day starts counts a day)."""
    if last_review is None:
        return 0
    return max(0, int((next_day_start - last_review).total_seconds()) // SECONDS_PER_DAY)


def study_day_gaps(times_ms: Sequence[int], next_day_ms: int) -> list[int]:
    """Study days between each answer and the one before (0 for the first), counted as Anki
    counts them for FSRS: each answer's whole days before a later study day's start
    (`next_day_ms`, epoch ms)."""
    days_ago = [(next_day_ms - at) // DAY_MS for at in times_ms]  # times in order: no gap < 0
    return [0, *(before - after for before, after in pairwise(days_ago))]


class Scheduler:
    def __init__(self, settings: Settings, tz: tzinfo = UTC) -> None:
        self.settings = settings
        self.tz = tz
        self.parameters = tuple(settings.fsrs_parameters or DEFAULT_PARAMETERS)
        self._fsrs = FSRS(list(self.parameters))
        # Anki lets FSRS keep sub-day intervals only with short-term parameters.
        self._allow_short_term = not settings.fsrs_parameters or (
            self.parameters[17] > 0 and self.parameters[18] > 0
        )

    # public ----------------------------------------------------------------------------------

    def preview(self, state: CardState, now: datetime) -> dict[int, timedelta]:
        """The interval each rating would give right now, as Anki's buttons show it."""
        return {rating: outcome.button for rating, outcome in self.outcomes(state, now).items()}

    def retrievability(self, state: CardState, now: datetime) -> float | None:
        """The probability of recalling the card now (None for a card never reviewed)."""
        if state.is_new or state.last_review is None or state.stability is None:
            return None
        decay = -self.parameters[20]
        factor = 0.9 ** (1 / decay) - 1
        elapsed = max(0.0, (now - state.last_review).total_seconds() / SECONDS_PER_DAY)
        return float((1 + factor * elapsed / state.stability) ** decay)

    def grade(
        self, state: CardState, rating: int, now: datetime, duration_ms: int
    ) -> tuple[CardState, RevlogEntry]:
        rating = Rating(rating)
        outcome = self.outcomes(state, now)[rating]
        lapsed = state.phase is Phase.REVIEW and rating is Rating.AGAIN
        lapses = state.lapses + (1 if lapsed else 0)
        tags = state.extra_tags
        suspended = state.suspended
        if lapsed and leech_threshold_met(lapses, self.settings.leech_lapses):
            suspended = True
            if LEECH_TAG not in tags:
                tags = (*tags, LEECH_TAG)
        new_state = replace(
            state,
            phase=outcome.phase,
            step=outcome.step,
            stability=outcome.memory.stability,
            difficulty=outcome.memory.difficulty,
            due=self._due(outcome, now),
            last_review=now,
            reps=state.reps + 1,
            lapses=lapses,
            suspended=suspended,
            buried_until=None,
            first_review=state.first_review or now,
            extra_tags=tags,
        )
        entry = RevlogEntry(
            id=datetime_to_ms(now),
            card_id=state.card_id,
            rating=int(rating),
            interval=outcome.revlog_interval,
            last_interval=self._last_interval(state, now),
            difficulty=outcome.memory.difficulty,
            stability=outcome.memory.stability,
            duration_ms=max(0, min(duration_ms, MAX_ANSWER_MS)),
            kind=review_kind(state.phase),
        )
        return new_state, entry

    def outcomes(self, state: CardState, now: datetime) -> dict[Rating, Outcome]:
        """What each rating would do to the card now (Anki's `next_states`)."""
        return _Answer(self, state, now).outcomes()

    def next_day_start(self, now: datetime) -> datetime:
        return study_day(now, self.tz, self.settings.day_start_hour).end

    def scheduled_days(self, state: CardState) -> int:
        """A review card's current interval in study days (Anki's `card.ivl`)."""
        if state.due is None or state.last_review is None:
            return 0
        return max(0, (self._study_date(state.due) - self._study_date(state.last_review)).days)

    def memory_state_batch(self, items: list[FSRSItem]) -> list[MemoryState]:
        """The memory state each card's whole history leads to (fsrs-rs, in one call)."""
        return self._fsrs.memory_state_batch(items)

    def replay(self, answers: Iterable[tuple[datetime, int]]) -> MemoryState | None:
        """The memory state a card's answers (time, rating 1-4), oldest first, lead to."""
        memory: MemoryState | None = None
        last: datetime | None = None
        retention = self.settings.desired_retention
        for when, rating in answers:
            elapsed = days_elapsed(last, self.next_day_start(when))
            states = self._fsrs.next_states(memory, retention, elapsed)
            memory = _pick(states, Rating(rating)).memory
            last = when
        return memory

    # helpers ---------------------------------------------------------------------------------

    def _study_date(self, moment: datetime) -> date:
        return study_day(moment, self.tz, self.settings.day_start_hour).date

    def _due(self, outcome: Outcome, now: datetime) -> datetime:
        if outcome.days is not None:
            today = self._study_date(now)
            return study_day_start(
                today + timedelta(days=outcome.days), self.tz, self.settings.day_start_hour
            )
        return now + timedelta(seconds=(outcome.seconds or 0) + outcome.step_fuzz)

    def _last_interval(self, state: CardState, now: datetime) -> int:
        if state.is_new or state.due is None or state.last_review is None:
            return 0
        if state.phase is Phase.REVIEW:
            return max(1, self.scheduled_days(state))
        return -max(0, round((state.due - state.last_review).total_seconds()))


class _Answer:
    """One card at one moment: Anki's state machine for the four ratings."""

    def __init__(self, scheduler: Scheduler, state: CardState, now: datetime) -> None:
        settings = scheduler.settings
        self.scheduler = scheduler
        self.state = state
        self.now = now
        self.maximum = max(1, settings.maximum_interval_days)
        next_day = scheduler.next_day_start(now)
        self.until_rollover = max(0, int((next_day - now).total_seconds()))
        memory = (
            None
            if state.is_new or state.stability is None or state.difficulty is None
            else MemoryState(state.stability, state.difficulty)
        )
        self.next = scheduler._fsrs.next_states(
            memory,
            settings.desired_retention,
            0 if state.is_new else days_elapsed(state.last_review, next_day),
        )
        seed = zlib.crc32(f"{state.card_id}:{state.reps}".encode())
        self.seed = seed
        self.factor = fuzz_factor(seed) if settings.fuzz else None
        self.learn = _Steps(settings.learning_steps_minutes)
        self.relearn = _Steps(settings.relearning_steps_minutes)

    def outcomes(self) -> dict[Rating, Outcome]:
        phase = self.state.phase
        if phase is Phase.REVIEW:
            return self._from_review()
        if phase is Phase.RELEARNING:
            return self._from_learning(self.relearn, Phase.RELEARNING)
        return self._from_learning(self.learn, Phase.LEARNING)

    # by phase --------------------------------------------------------------------------------

    def _from_learning(self, steps: _Steps, phase: Phase) -> dict[Rating, Outcome]:
        """A new card answers as a learning card on its first step (as in Anki)."""
        remaining = steps.remaining(None if self.state.is_new else self.state.step)
        result: dict[Rating, Outcome] = {}
        again = self.next.again
        if (delay := steps.again_seconds()) is not None:
            result[Rating.AGAIN] = self._step(phase, steps, len(steps), delay, again)
        else:
            result[Rating.AGAIN] = self._leave_steps(phase, steps, len(steps), again)
        hard = self.next.hard
        if (delay := steps.hard_seconds(remaining)) is not None:
            result[Rating.HARD] = self._step(phase, steps, remaining, delay, hard)
        else:
            result[Rating.HARD] = self._leave_steps(phase, steps, remaining, hard)
        good = self.next.good
        if (delay := steps.good_seconds(remaining)) is not None:
            result[Rating.GOOD] = self._step(
                phase, steps, steps.remaining_after_good(remaining), delay, good
            )
        else:
            result[Rating.GOOD] = self._leave_steps(
                phase, steps, steps.remaining_after_good(remaining), good
            )
        result[Rating.EASY] = self._review(self._easy_days(), self.next.easy)
        return result

    def _from_review(self) -> dict[Rating, Outcome]:
        result: dict[Rating, Outcome] = {}
        again = self.next.again
        if (delay := self.relearn.again_seconds()) is not None:
            result[Rating.AGAIN] = self._step(
                Phase.RELEARNING, self.relearn, len(self.relearn), delay, again
            )
        elif self._short_term(self.relearn, again.interval):
            seconds = int(again.interval * SECONDS_PER_DAY)
            result[Rating.AGAIN] = self._step(
                Phase.RELEARNING, self.relearn, len(self.relearn), seconds, again
            )
        else:  # not fuzzed: Anki fuzzes a lapse only when it leaves relearning
            result[Rating.AGAIN] = self._review(max(1, round_half_up(again.interval)), again)
        previous = self.scheduler.scheduled_days(self.state)
        hard_days = self._passing(self.next.hard, previous, 1)
        good_days = self._passing(self.next.good, previous, hard_days + 1)
        easy_days = self._passing(self.next.easy, previous, good_days + 1)
        result[Rating.HARD] = self._review(hard_days, self.next.hard)
        result[Rating.GOOD] = self._review(good_days, self.next.good)
        result[Rating.EASY] = self._review(easy_days, self.next.easy)
        return result

    # pieces ----------------------------------------------------------------------------------

    def _passing(self, item: ItemState, previous: int, at_least: int) -> int:
        minimum = max(minimum_review_fuzz_interval(item.interval, previous, self.maximum), at_least)
        return self._fuzz(item.interval, minimum)

    def _easy_days(self) -> int:
        good = self._fuzz(self.next.good.interval, 1)
        easy = float(max(1, round_half_up(self.next.easy.interval)))
        return self._fuzz(easy, good + 1)

    def _fuzz(self, interval: float, minimum: int) -> int:
        minimum = min(max(minimum, 1), self.maximum)
        return with_review_fuzz(self.factor, interval, minimum, self.maximum)

    def _short_term(self, steps: _Steps, interval: float) -> bool:
        # Anki's `fsrs_short_term_with_steps_enabled` is off by default: only without steps.
        return (
            self.scheduler._allow_short_term
            and len(steps) == 0
            and interval < SHORT_TERM_BELOW_DAYS
        )

    def _leave_steps(self, phase: Phase, steps: _Steps, remaining: int, item: ItemState) -> Outcome:
        """No step left for this rating: a review interval, or FSRS's own short delay."""
        if self._short_term(steps, item.interval):
            return self._step(phase, steps, remaining, int(item.interval * SECONDS_PER_DAY), item)
        return self._review(self._fuzz(float(max(1, round_half_up(item.interval))), 1), item)

    def _review(self, days: int, item: ItemState) -> Outcome:
        return Outcome(Phase.REVIEW, None, item.memory, days=days)

    def _step(
        self, phase: Phase, steps: _Steps, remaining: int, seconds: int, item: ItemState
    ) -> Outcome:
        step = steps.index(remaining)
        if seconds >= self.until_rollover:  # past the next day start: whole study days
            days = (seconds - self.until_rollover) // SECONDS_PER_DAY + 1
            return Outcome(phase, step, item.memory, days=days)
        fuzz = 0 if self.factor is None else fuzzed_step_seconds(seconds, self.seed) - seconds
        return Outcome(phase, step, item.memory, seconds=seconds, step_fuzz=fuzz)


class _Steps:
    """Learning or relearning steps, indexed as Anki indexes its `remaining_steps`."""

    def __init__(self, minutes: tuple[int, ...]) -> None:
        self.seconds = [int(step * 60) for step in minutes]

    def __len__(self) -> int:
        return len(self.seconds)

    def remaining(self, step: int | None) -> int:
        return len(self.seconds) - (step or 0)

    def index(self, remaining: int) -> int:
        total = len(self.seconds)
        return max(0, min(total - remaining, total - 1))

    def again_seconds(self) -> int | None:
        return self.seconds[0] if self.seconds else None

    def hard_seconds(self, remaining: int) -> int | None:
        if not self.seconds:
            return None
        index = self.index(remaining)
        current = self.seconds[index]
        if index != 0:
            return current
        if len(self.seconds) > 1:  # halfway between Again and Good
            return _round_to_days((current + self.seconds[1]) // 2)
        return _round_to_days(min(current * 3 // 2, current + SECONDS_PER_DAY))

    def good_seconds(self, remaining: int) -> int | None:
        index = self.index(remaining) + 1
        return self.seconds[index] if index < len(self.seconds) else None

    def remaining_after_good(self, remaining: int) -> int:
        return max(0, len(self.seconds) - (self.index(remaining) + 1))


def _round_to_days(seconds: int) -> int:
    if seconds > SECONDS_PER_DAY:
        return round_half_up(seconds / SECONDS_PER_DAY) * SECONDS_PER_DAY
    return seconds


def _pick(states: NextStates, rating: Rating) -> ItemState:
    return (states.again, states.hard, states.good, states.easy)[rating - 1]


def leech_threshold_met(lapses: int, threshold: int) -> bool:
    """At the threshold and every half threshold after it, as Anki."""
    if threshold <= 0:
        return False
    half = max(1, math.ceil(threshold / 2))
    return lapses >= threshold and (lapses - threshold) % half == 0


def review_kind(phase: Phase) -> ReviewKind:
    if phase is Phase.REVIEW:
        return ReviewKind.REVIEW
    if phase is Phase.RELEARNING:
        return ReviewKind.RELEARN
    return ReviewKind.LEARN
