"""One review of a deck (and its children), card by card, with undo: `ReviewSession(study, deck)`.

Every grade, suspend and bury is committed to the store before the next card shows. The
session reads and writes card states through its `Study`'s public methods only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from deckgen.cardformat.model import Card
from studyapp.intervals import format_interval
from studyapp.queue import Category, ReviewQueue, category_today
from studyapp.records import CardState
from studyapp.scheduler import MAX_ANSWER_MS
from studyapp.store import StoreError, same_progress
from studyapp.study import HeldBack, Study


@dataclass(frozen=True)
class SessionSummary:
    reviewed: int
    again: int
    hard: int
    good: int
    easy: int
    seconds: float
    next_due: datetime | None = None  # when the deck has a card to show next (None: never)


class ReviewSession:
    def __init__(self, study: Study, deck: str | None) -> None:
        self._study = study
        self.deck = deck
        self._started = study.clock.now()
        self._ratings: Counter[int] = Counter()
        self._undo_stack: list[_Graded | _Hidden] = []
        self._current: str | None = None
        self._shown_at = self._started
        self.rebuild()
        study.follow(self)

    def rebuild(self) -> None:
        """Queue the deck's cards again from their current states (settings or day changed)."""
        study = self._study
        now = study.clock.now()
        day = study.study_day(now)
        self._queue = ReviewQueue(
            study.card_ids_in_deck(self.deck), study.states, day, now, study.limits(day)
        )
        self._held_back: HeldBack | None = None  # counted again when next asked

    def held_back(self) -> HeldBack:
        """The deck's cards buried until a later study day, and why (Study.held_back);
        counted once per queue build, which every bury, suspend, undo and new day makes."""
        if self._held_back is None:
            self._held_back = self._study.held_back(self.deck)
        return self._held_back

    def sources_changed(self) -> None:
        """The card files were parsed again: keep the card on show if it is still there."""
        current = self._current
        self.rebuild()
        self._current = current if current is not None and self._study.card(current) else None

    def current(self) -> Card | None:
        """The card on show; the same card until it is graded, suspended or buried."""
        now = self._study.clock.now()
        if self._study.study_day(now) != self._queue.day:
            self.rebuild()  # a new study day began during the session
        while self._current is None:
            candidate = self._queue.next_card(now)
            if candidate is None:
                break
            if self._still_due(candidate, now):
                self._current = candidate
                self._shown_at = now
        return None if self._current is None else self._study.card(self._current)

    def _still_due(self, card_id: str, now: datetime) -> bool:
        """Re-read a card before showing it: another instance may have studied it meanwhile.

        If so the queue follows the stored state (False: pick again); otherwise True.
        """
        study = self._study
        try:
            stored = study.store.load_state(card_id)
        except StoreError:
            return True  # show it as known here; a grade that cannot be saved is reported
        known = study.states.get(card_id)
        if stored is None or known is None or same_progress(stored, known):
            return True
        study.remember(stored)
        category = category_today(stored, self._queue.day, now)
        if category is None:
            self._queue.remove(card_id)  # done, suspended or buried elsewhere
            return False
        if category == Category.LEARNING:
            self._queue.answered(card_id, stored)  # back in at its new due time
            return False
        return True

    def intervals(self) -> dict[int, str]:
        card = self.current()
        if card is None:
            return {}
        now = self._study.clock.now()
        preview = self._study.scheduler.preview(self._study.state(card.id), now)
        return {int(rating): format_interval(delta) for rating, delta in preview.items()}

    def grade(self, rating: int, duration_ms: int | None = None) -> None:
        card = self._require_current()
        study = self._study
        now = study.clock.now()
        if duration_ms is None:
            duration_ms = min(MAX_ANSWER_MS, int((now - self._shown_at).total_seconds() * 1000))
        scheduler = study.scheduler
        # Scheduled inside the store's write transaction from the stored row, which another
        # instance may have changed since this one loaded it.
        _, new_state, entry = study.store.record_review(
            study.state(card.id),
            lambda previous: scheduler.grade(previous, rating, now, duration_ms),
        )
        study.remember(new_state)
        self._queue.answered(card.id, new_state)
        buried = study.bury_siblings(card.id) if study.settings.bury_siblings else []
        self._undo_stack.append(_Graded(entry.id, new_state, int(rating), buried))
        self._ratings[int(rating)] += 1
        self._current = None
        if buried:
            self.rebuild()  # a buried new sibling leaves room for the next new card

    def undo(self) -> str | None:
        """Take back this session's last grade, suspend or bury; which one, or None if none.

        A grade's log row goes and the card state returns, and so do the siblings it buried.
        Raises ConflictError (nothing is undone) when another instance changed the card since.
        """
        if not self._undo_stack:
            return None
        last = self._undo_stack.pop()
        card_id = last.state.card_id
        study = self._study
        if isinstance(last, _Graded):
            restored = study.store.undo_review(last.revlog_id, last.state)
            if restored is None:
                return None
            self._ratings[last.rating] -= 1
            for before, after in last.buried:
                study.store.restore_state(after, before, study.clock.now())
                study.remember(before)
        else:
            study.store.restore_state(last.state, last.before, study.clock.now())
            restored = last.before
        study.remember(restored)
        self.rebuild()
        self._current = card_id if study.card(card_id) else None
        self._shown_at = study.clock.now()
        return last.action

    def suspend(self) -> None:
        card = self._require_current()
        self._update_state(card.id, "suspend", lambda state: replace(state, suspended=True))

    def bury(self) -> None:
        """Hide the card until the next study day starts."""
        card = self._require_current()
        until = self._study.study_day().end
        self._update_state(card.id, "bury", lambda state: replace(state, buried_until=until))

    def summary(self) -> SessionSummary:
        seconds = (self._study.clock.now() - self._started).total_seconds()
        return SessionSummary(
            reviewed=sum(self._ratings.values()),
            again=self._ratings[1],
            hard=self._ratings[2],
            good=self._ratings[3],
            easy=self._ratings[4],
            seconds=seconds,
            next_due=self._study.next_due(self.deck),
        )

    def remaining(self) -> tuple[int, int, int]:
        """(new, learning, due) cards still to come today, the card on show included."""
        self.current()
        return self._queue.counts()

    def _require_current(self) -> Card:
        card = self.current()
        if card is None:
            raise RuntimeError("no card to answer: the session is finished")
        return card

    def _update_state(
        self, card_id: str, action: str, change: Callable[[CardState], CardState]
    ) -> None:
        before, after = self._study.change_state(card_id, change)
        self._undo_stack.append(_Hidden(action, before, after))
        self._current = None
        # Built again rather than trimmed: a hidden new card must not use up the day's new
        # cards, so the next one in line comes in (Anki counts only cards answered).
        self.rebuild()


@dataclass(frozen=True)
class _Graded:
    """What undoing a grade needs: its log row, the state it wrote, the siblings it buried."""

    revlog_id: int
    state: CardState
    rating: int
    buried: list[tuple[CardState, CardState]] = field(default_factory=list)  # (before, after)
    action: str = "grade"


@dataclass(frozen=True)
class _Hidden:
    """What undoing a suspend or bury needs: the state before and the state it wrote."""

    action: str  # "suspend" or "bury"
    before: CardState
    state: CardState
