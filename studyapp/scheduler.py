"""FSRS-6 scheduling (the `fsrs` package) applied to the app's `CardState`.

fsrs schedules without fuzz; the app fuzzes the review interval fsrs gives (`studyapp.fuzz`)
with a generator seeded by the card and its review count, so the interval shown on a rating
button is exactly the one that grade then gives.
"""

from __future__ import annotations

import zlib
from dataclasses import replace
from datetime import datetime, timedelta

import fsrs

from studyapp.fuzz import fuzzed_days
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
_SECONDS_PER_DAY = 86_400


class Scheduler:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._fsrs = fsrs.Scheduler(
            # Anki's own parameters once `sync-anki` brought them, else fsrs' defaults.
            parameters=settings.fsrs_parameters or fsrs.scheduler.DEFAULT_PARAMETERS,
            desired_retention=settings.desired_retention,
            learning_steps=tuple(timedelta(minutes=m) for m in settings.learning_steps_minutes),
            relearning_steps=tuple(timedelta(minutes=m) for m in settings.relearning_steps_minutes),
            maximum_interval=settings.maximum_interval_days,
            enable_fuzzing=False,  # fuzzed below, reproducibly
        )

    def preview(self, state: CardState, now: datetime) -> dict[fsrs.Rating, timedelta]:
        """The interval each rating would give right now."""
        result = {}
        for rating in fsrs.Rating:
            after = self._review(state, rating, now)
            result[rating] = after.due - now
        return result

    def retrievability(self, state: CardState, now: datetime) -> float | None:
        """The probability of recalling the card now (None for a card never reviewed)."""
        if state.is_new or state.last_review is None or state.stability is None:
            return None
        return float(self._fsrs.get_card_retrievability(to_fsrs_card(state, now), now))

    def grade(
        self, state: CardState, rating: fsrs.Rating | int, now: datetime, duration_ms: int
    ) -> tuple[CardState, RevlogEntry]:
        rating = fsrs.Rating(rating)
        after = self._review(state, rating, now)
        lapsed = state.phase is Phase.REVIEW and rating is fsrs.Rating.Again
        lapses = state.lapses + (1 if lapsed else 0)
        tags = state.extra_tags
        suspended = state.suspended
        if lapsed and lapses >= self.settings.leech_lapses:
            suspended = True
            if LEECH_TAG not in tags:
                tags = (*tags, LEECH_TAG)
        new_state = replace(
            state,
            phase=Phase(after.state.value),
            step=after.step,
            stability=after.stability,
            difficulty=after.difficulty,
            due=after.due,
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
            interval=anki_interval(new_state),
            last_interval=anki_interval(state),
            difficulty=after.difficulty,
            stability=after.stability,
            duration_ms=max(0, min(duration_ms, MAX_ANSWER_MS)),
            kind=review_kind(state.phase),
        )
        return new_state, entry

    def _review(self, state: CardState, rating: fsrs.Rating, now: datetime) -> fsrs.Card:
        card, _log = self._fsrs.review_card(to_fsrs_card(state, now), rating, now)
        if self.settings.fuzz and card.state is fsrs.State.Review:
            days = round((card.due - now) / timedelta(days=1))
            seed = zlib.crc32(f"{state.card_id}:{state.reps}".encode())
            card.due = now + timedelta(
                days=fuzzed_days(days, seed, self.settings.maximum_interval_days)
            )
        return card


def to_fsrs_card(state: CardState, now: datetime) -> fsrs.Card:
    if state.phase is Phase.NEW:
        return fsrs.Card(card_id=0, state=fsrs.State.Learning, step=0, due=now)
    return fsrs.Card(
        card_id=0,
        state=fsrs.State(int(state.phase)),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due or now,
        last_review=state.last_review,
    )


def review_kind(phase: Phase) -> ReviewKind:
    if phase is Phase.REVIEW:
        return ReviewKind.REVIEW
    if phase is Phase.RELEARNING:
        return ReviewKind.RELEARN
    return ReviewKind.LEARN


def anki_interval(state: CardState) -> int:
    """Interval in Anki's revlog convention: days if positive, seconds if negative."""
    if state.due is None or state.last_review is None:
        return 0
    seconds = round((state.due - state.last_review).total_seconds())
    if state.phase is Phase.REVIEW:
        return max(1, round(seconds / _SECONDS_PER_DAY))
    return -seconds
