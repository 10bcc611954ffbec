"""The study facade: everything the TUI and the CLI need, in plain Python.

`Study.open()` parses the card files (deckgen's parser), opens the progress store and keeps all
card states in memory; a `ReviewSession` serves one deck's cards and commits every grade before
returning. Progress is keyed by the card's stable id, so edited, renumbered or reordered cards
keep their history, and a card that leaves the sources keeps it for when it comes back.
"""

from __future__ import annotations

import shlex
import weakref
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from deckgen.model import DECK_SEPARATOR, Card, CardError, CardKind
from studyapp.clock import Clock, SystemClock
from studyapp.intervals import format_interval
from studyapp.queue import (
    Category,
    Limits,
    ReviewQueue,
    StudyDay,
    category_today,
    deck_counts,
    study_day,
)
from studyapp.records import CardState, Phase, ReviewKind, RevlogEntry, datetime_to_ms
from studyapp.scheduler import MAX_ANSWER_MS, Scheduler
from studyapp.settings import Settings, load_settings, save_settings
from studyapp.source_cache import parse_with_cache
from studyapp.store import Store, StoreError, same_progress

REVERSE_SUFFIX = ":reverse"  # id of the Back -> Front card a `reversed` card adds
STATS_WEEKS = 26
FORECAST_DAYS = 30
RETENTION_DAYS = 30


@dataclass(frozen=True)
class DeckRow:
    name: str  # full name, "A::B"
    label: str  # last part, "B"
    depth: int  # 0 for a top-level deck
    new: int
    learning: int
    due: int


@dataclass(frozen=True)
class SessionSummary:
    reviewed: int
    again: int
    hard: int
    good: int
    easy: int
    seconds: float


@dataclass(frozen=True)
class Stats:
    reviews_per_day: dict[date, int]  # every study day of the last weeks, oldest first
    forecast: list[int]  # cards due on each of the next days; [0] is today (and overdue)
    true_retention: float | None  # share of review-kind answers that were not Again
    by_state: dict[str, int]  # new / learning / review / relearning / suspended


@dataclass(frozen=True)
class BrowseRow:
    card: Card
    state: str  # new / learning / review / relearning / suspended
    due: datetime | None
    reps: int
    lapses: int


def no_cards_message(paths: Sequence[Path]) -> str:
    where = ", ".join(str(path) for path in paths)
    return f"no cards found; looked in: {where}"


def stats_to_json(stats: Stats) -> dict[str, Any]:
    return {
        "reviews_per_day": {day.isoformat(): count for day, count in stats.reviews_per_day.items()},
        "forecast": list(stats.forecast),
        "true_retention": stats.true_retention,
        "by_state": dict(stats.by_state),
    }


class Study:
    def __init__(
        self,
        paths: Sequence[Path],
        data_dir: Path,
        clock: Clock,
        settings: Settings,
        store: Store,
    ) -> None:
        self.searched_paths = list(paths)
        self.data_dir = data_dir
        self.clock = clock
        self.settings = settings
        self.store = store
        self.scheduler = Scheduler(settings)
        self.cards: list[Card] = []
        self.errors: list[CardError] = []
        self._cards_by_id: dict[str, Card] = {}
        self._states: dict[str, CardState] = store.load_states()
        self._sessions: weakref.WeakSet[ReviewSession] = weakref.WeakSet()

    @classmethod
    def open(cls, paths: Sequence[Path], data_dir: Path, clock: Clock | None = None) -> Study:
        """Raises SettingsError or StoreError (one-line messages) when the data folder is bad."""
        store = Store.open(data_dir)
        try:
            settings = load_settings(data_dir)
            study = cls(paths, data_dir, clock or SystemClock(), settings, store)
            study._load_sources()
        except BaseException:
            store.close()
            raise
        return study

    def close(self) -> None:
        self.store.close()

    # sources ---------------------------------------------------------------------------------

    def reload(self) -> None:
        """Parse the card files again (after an edit); open sessions follow the new cards.

        Card states are read again too: another instance may have studied meanwhile.
        """
        self._states = self.store.load_states()
        try:
            self._load_sources()
        finally:  # the new cards are in even when recording their sighting failed
            for session in list(self._sessions):
                session._sources_changed()

    def _load_sources(self) -> None:
        result = parse_with_cache(self.searched_paths, self.data_dir)
        self.errors = list(result.errors)
        self.cards = [study_card for card in result.cards for study_card in _study_cards(card)]
        self._cards_by_id = {card.id: card for card in self.cards}
        self._record_sightings()

    def _record_sightings(self) -> None:
        """Create state rows for cards seen for the first time; refresh `last_seen_in_sources`."""
        now = self.clock.now()
        today = self.study_day(now)
        first_seen: list[CardState] = []
        seen_again: list[CardState] = []
        for card_id in self._cards_by_id:
            state = self._states.get(card_id)
            if state is None:
                first_seen.append(CardState(card_id, first_seen=now, last_seen_in_sources=now))
            elif state.last_seen_in_sources is None or state.last_seen_in_sources < today.start:
                seen_again.append(replace(state, last_seen_in_sources=now))
        if first_seen or seen_again:
            self.store.record_sightings(first_seen, (state.card_id for state in seen_again), now)
            self._states.update((state.card_id, state) for state in (*first_seen, *seen_again))

    def card(self, card_id: str) -> Card | None:
        return self._cards_by_id.get(card_id)

    def state(self, card_id: str) -> CardState:
        return self._states.get(card_id) or CardState(card_id)

    # settings ------------------------------------------------------------------------------

    def update_settings(self, settings: Settings) -> None:
        save_settings(self.data_dir, settings)
        self.settings = settings
        self.scheduler = Scheduler(settings)
        for session in list(self._sessions):
            session._rebuild()

    # days and limits -------------------------------------------------------------------------

    def study_day(self, now: datetime | None = None) -> StudyDay:
        moment = now or self.clock.now()
        return study_day(moment, self.clock.local_tz(), self.settings.day_start_hour)

    def today(self) -> date:
        """The date of the current study day (before `day_start_hour` it is still yesterday)."""
        return self.study_day().date

    def limits(self, day: StudyDay) -> Limits:
        introduced = sum(
            1
            for state in self._states.values()
            if state.first_review is not None and state.first_review >= day.start
        )
        reviewed = self.store.count_reviews_since(day.start, (ReviewKind.REVIEW,))
        return Limits(
            new_left=max(0, self.settings.new_per_day - introduced),
            reviews_left=max(0, self.settings.max_reviews_per_day - reviewed),
        )

    # deck list -----------------------------------------------------------------------------

    def deck_tree(self) -> list[DeckRow]:
        now = self.clock.now()
        day = self.study_day(now)
        counts = deck_counts(
            ((card.deck, self._states.get(card.id)) for card in self.cards),
            day,
            now,
            self.limits(day),
            DECK_SEPARATOR,
        )
        # Sorting by name parts puts every parent right before its children.
        rows = []
        for name in sorted(counts, key=lambda deck: deck.split(DECK_SEPARATOR)):
            parts = name.split(DECK_SEPARATOR)
            entry = counts[name]
            rows.append(
                DeckRow(name, parts[-1], len(parts) - 1, entry.new, entry.learning, entry.due)
            )
        return rows

    def card_ids_in_deck(self, deck: str | None) -> list[str]:
        if deck is None:
            return [card.id for card in self.cards]
        prefix = deck + DECK_SEPARATOR
        return [card.id for card in self.cards if card.deck == deck or card.deck.startswith(prefix)]

    def start_review(self, deck: str | None) -> ReviewSession:
        session = ReviewSession(self, deck)
        self._sessions.add(session)
        return session

    # stats, browse, history ----------------------------------------------------------------

    def stats(self, weeks: int = STATS_WEEKS) -> Stats:
        now = self.clock.now()
        today = self.study_day(now)
        first_day = today.date - timedelta(days=weeks * 7 - 1)
        # Day boundaries computed once (DST-correct), then each review found by bisection.
        past_starts = self._day_starts(first_day, weeks * 7)
        per_day = dict.fromkeys((first_day + timedelta(days=n) for n in range(weeks * 7)), 0)
        days = list(per_day)
        starts_ms = [datetime_to_ms(start) for start in past_starts]
        retention_since = datetime_to_ms(now - timedelta(days=RETENTION_DAYS))
        passed = answered = 0
        for review_id, kind, rating in self.store.reviews_since(past_starts[0]):
            index = bisect_right(starts_ms, review_id) - 1
            if 0 <= index < len(days):
                per_day[days[index]] += 1
            if kind is ReviewKind.REVIEW and review_id >= retention_since:
                answered += 1
                passed += rating > 1
        forecast = [0] * FORECAST_DAYS
        future_starts = self._day_starts(today.date, FORECAST_DAYS)[1:]
        by_state = Counter(dict.fromkeys(_STATE_NAMES, 0))
        for card in self.cards:
            state = self.state(card.id)
            by_state[_state_name(state)] += 1
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
        )

    def _day_starts(self, first: date, count: int) -> list[datetime]:
        """UTC start of `count` study days from `first`, plus the start of the day after."""
        tz = self.clock.local_tz()
        hour = self.settings.day_start_hour
        return [
            datetime.combine(first + timedelta(days=n), time(hour), tzinfo=tz).astimezone(UTC)
            for n in range(count + 1)
        ]

    def browse(self, query: str) -> list[BrowseRow]:
        """Cards matching every term: plain text (title/front/back), `tag:x`, `deck:x`.

        Terms split as a shell does, so `deck:"Brokers and Redis"` or `"task queue"` is one term.
        """
        terms = [term.lower() for term in _split_query(query)]
        rows = []
        for card in self.cards:
            state = self.state(card.id)
            if all(_matches(card, state, term) for term in terms):
                due = None if state.is_new else state.due
                rows.append(BrowseRow(card, _state_name(state), due, state.reps, state.lapses))
        return rows

    def history(self, card_id: str) -> list[RevlogEntry]:
        return self.store.history(card_id)


class ReviewSession:
    """One review of a deck (and its children), card by card."""

    def __init__(self, study: Study, deck: str | None) -> None:
        self._study = study
        self.deck = deck
        self._started = study.clock.now()
        self._ratings: Counter[int] = Counter()
        self._undo_stack: list[_Graded | _Hidden] = []
        self._current: str | None = None
        self._shown_at = self._started
        self._rebuild()

    def _rebuild(self) -> None:
        study = self._study
        now = study.clock.now()
        day = study.study_day(now)
        self._queue = ReviewQueue(
            study.card_ids_in_deck(self.deck), study._states, day, now, study.limits(day)
        )

    def _sources_changed(self) -> None:
        current = self._current
        self._rebuild()
        self._current = current if current is not None and self._study.card(current) else None

    def current(self) -> Card | None:
        """The card on show; the same card until it is graded, suspended or buried."""
        now = self._study.clock.now()
        if self._study.study_day(now) != self._queue.day:
            self._rebuild()  # a new study day began during the session
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
        known = study._states.get(card_id)
        if stored is None or known is None or same_progress(stored, known):
            return True
        study._states[card_id] = stored
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
        study._states[card.id] = new_state
        self._queue.answered(card.id, new_state)
        self._undo_stack.append(_Graded(entry.id, new_state, int(rating)))
        self._ratings[int(rating)] += 1
        self._current = None

    def undo(self) -> str | None:
        """Take back this session's last grade, suspend or bury; which one, or None if none.

        A grade's log row goes and the card state returns. Raises ConflictError (nothing is
        undone) when another instance changed the card since.
        """
        if not self._undo_stack:
            return None
        last = self._undo_stack.pop()
        card_id = last.state.card_id
        store = self._study.store
        if isinstance(last, _Graded):
            restored = store.undo_review(last.revlog_id, last.state)
            if restored is None:
                return None
            self._ratings[last.rating] -= 1
        else:
            store.restore_state(last.state, last.before)
            restored = last.before
        self._study._states[card_id] = restored
        self._rebuild()
        self._current = card_id if self._study.card(card_id) else None
        self._shown_at = self._study.clock.now()
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
        # Changed from the stored row, so a grade another instance made meanwhile is kept.
        before, after = self._study.store.modify_state(self._study.state(card_id), change)
        self._study._states[card_id] = after
        self._queue.remove(card_id)
        self._undo_stack.append(_Hidden(action, before, after))
        self._current = None


@dataclass(frozen=True)
class _Graded:
    """What undoing a grade needs: its log row and the state it wrote."""

    revlog_id: int
    state: CardState
    rating: int
    action: str = "grade"


@dataclass(frozen=True)
class _Hidden:
    """What undoing a suspend or bury needs: the state before and the state it wrote."""

    action: str  # "suspend" or "bury"
    before: CardState
    state: CardState


_STATE_NAMES = ("new", "learning", "review", "relearning", "suspended")


def _state_name(state: CardState) -> str:
    return "suspended" if state.suspended else Phase(state.phase).label


def _study_cards(card: Card) -> list[Card]:
    """The cards a note gives: a `reversed` card also asks Back -> Front, as in Anki."""
    if card.kind is not CardKind.REVERSED:
        return [card]
    reverse = replace(card, id=card.id + REVERSE_SUFFIX, front=card.back, back=card.front)
    return [card, reverse]


def _split_query(query: str) -> list[str]:
    try:
        return shlex.split(query)
    except ValueError:  # an unbalanced quote while the user is still typing
        return query.split()


def _matches(card: Card, state: CardState, term: str) -> bool:
    """`term` is lower case already."""
    if term.startswith("tag:"):
        wanted = term[4:]
        return any(tag.lower() == wanted for tag in (*card.tags, *state.extra_tags))
    if term.startswith("deck:"):
        return _deck_matches(card.deck.lower(), term[5:])
    return term in card.title.lower() or term in card.front.lower() or term in card.back.lower()


def _deck_matches(deck: str, wanted: str) -> bool:
    """`wanted` starts the full name or the name from any level down (`celery::brok`,
    `brokers and`, `brokers and redis::sub`), or occurs inside one level's name (`redis`)."""
    parts = deck.split(DECK_SEPARATOR)
    for level in range(len(parts)):
        if DECK_SEPARATOR.join(parts[level:]).startswith(wanted) or wanted in parts[level]:
            return True
    return False
