"""The study facade: everything the TUI and the CLI need, in plain Python.

`Study.open()` reads the card files (`deckgen.cardformat.load`), opens the progress store and
keeps all card states in memory; a `ReviewSession` (session.py, built on a Study) serves one
deck's cards and follows the Study's changes as a `QueueFollower`. Stats and the browser's
queries live in stats.py and browse.py; this module ties them to the cards and the store.
Progress is keyed by the card's stable id, so edited, renumbered or reordered cards keep
their history, and a card that leaves the sources keeps it for when it comes back.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from deckgen.cardformat.card_types import study_cards
from deckgen.cardformat.load import load
from deckgen.cardformat.model import DECK_SEPARATOR, Card, CardError
from studyapp.clock import Clock, SystemClock
from studyapp.memory_states import ensure_current_engine, last_recomputed
from studyapp.queue import Category, Limits, StudyDay, category_today, deck_counts, study_day
from studyapp.records import CardState, Phase, ReviewKind, RevlogEntry
from studyapp.scheduler import Scheduler
from studyapp.settings import Settings, load_settings, save_settings, settings_path
from studyapp.siblings import SiblingIndex
from studyapp.store import Store

if TYPE_CHECKING:  # browse, card info and stats load when first used, not at start
    from deckgen.cardformat.pool import CardRenderer
    from studyapp.browse import BrowseRow
    from studyapp.card_info import CardInfo
    from studyapp.stats import Stats, StatsInput


@dataclass(frozen=True)
class HeldBack:
    """Cards of a deck buried until a later study day."""

    siblings: int  # a card of the same note, command or lesson was answered today
    buried: int  # buried by hand (b) or otherwise

    @property
    def total(self) -> int:
        return self.siblings + self.buried


@dataclass(frozen=True)
class DeckRow:
    name: str  # full name, "A::B"
    label: str  # last part, "B"
    depth: int  # 0 for a top-level deck
    new: int
    learning: int
    due: int


def no_cards_message(paths: Sequence[Path]) -> str:
    where = ", ".join(str(path) for path in paths)
    return f"no cards found; looked in: {where}"


def _course_position(deck: str, first_seen: Mapping[str, int]) -> tuple[int, ...]:
    """Where a deck sits in course order: the first card of each of its ancestors and itself
    (a deck with no card of its own sits where its first descendant's card does)."""
    parts = deck.split(DECK_SEPARATOR)
    position = []
    for depth in range(1, len(parts) + 1):
        prefix = DECK_SEPARATOR.join(parts[:depth])
        below = prefix + DECK_SEPARATOR
        position.append(
            min(
                index
                for name, index in first_seen.items()
                if name == prefix or name.startswith(below)
            )
        )
    return tuple(position)


class QueueFollower(Protocol):
    """What follows a Study's cards (a review session): told when they change."""

    def rebuild(self) -> None:
        """Card states, settings or the study day changed: queue the cards again."""

    def sources_changed(self) -> None:
        """The card files were parsed again."""


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
        self.scheduler = Scheduler(settings, clock.local_tz())
        self.cards: list[Card] = []
        self.errors: list[CardError] = []
        self._cards_by_id: dict[str, Card] = {}
        self._siblings: SiblingIndex | None = None  # built at the first grade, not at start
        self._states: dict[str, CardState] = store.load_states()
        self.states: Mapping[str, CardState] = MappingProxyType(self._states)
        self._followers: weakref.WeakSet[QueueFollower] = weakref.WeakSet()
        self._settings_seen = self._settings_stamp()
        self.renderer: CardRenderer | None = None  # see `open`

    @classmethod
    def open(
        cls,
        paths: Sequence[Path],
        data_dir: Path,
        clock: Clock | None = None,
        renderer: CardRenderer | None = None,
    ) -> Study:
        """Raises SettingsError or StoreError (one-line messages) when the data folder is bad.

        `renderer`: for a caller that will build the deck's package (the Anki sync), so each
        card is rendered while it is parsed and the build reads it from the card cache."""
        store = Store.open(data_dir)
        try:
            settings = load_settings(data_dir)
            clock = clock or SystemClock()
            # Once, when the stored memory states came from another engine.
            ensure_current_engine(store, Scheduler(settings, clock.local_tz()), clock.now())
            study = cls(paths, data_dir, clock, settings, store)
            study.renderer = renderer
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
        self.follow_settings_file()
        self._states.clear()
        self._states.update(self.store.load_states())
        try:
            self._load_sources()
        finally:  # the new cards are in even when recording their sighting failed
            for follower in list(self._followers):
                follower.sources_changed()

    def _load_sources(self) -> None:
        result = load(self.searched_paths, self.renderer)
        self.errors = list(result.errors)
        self.cards = [study_card for card in result.cards for study_card in study_cards(card)]
        self._cards_by_id = {card.id: card for card in self.cards}
        self._siblings = None
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

    # card states -----------------------------------------------------------------------------

    def state(self, card_id: str) -> CardState:
        return self._states.get(card_id) or CardState(card_id)

    def remember(self, state: CardState) -> None:
        """Take a state the store holds now (written by a session or read back from it)."""
        self._states[state.card_id] = state

    def change_state(
        self, card_id: str, change: Callable[[CardState], CardState]
    ) -> tuple[CardState, CardState]:
        """Apply `change` to the stored row (so a grade another instance made is kept);
        returns (before, after)."""
        before, after = self.store.modify_state(self.state(card_id), change, self.clock.now())
        self._states[card_id] = after
        return before, after

    def toggle_suspend(self, card_id: str) -> bool:
        """Suspend the card, or bring a suspended card back; True when it is now suspended."""
        _, after = self.change_state(card_id, lambda s: replace(s, suspended=not s.suspended))
        self._queues_changed()
        return after.suspended

    def forget(self, card_id: str) -> None:
        """Make the card new again, as Anki's Reset; its review log is kept."""
        self.change_state(card_id, forgotten)
        self._queues_changed()

    def unbury(self, card_id: str) -> None:
        self.change_state(card_id, lambda s: replace(s, buried_until=None))
        self._queues_changed()

    def bury_siblings(self, card_id: str) -> list[tuple[CardState, CardState]]:
        """Bury until tomorrow the siblings of a card just answered; returns (before, after)
        of each buried.

        The new and review cards of its note, as Anki buries siblings (learning ones keep
        their steps). Of the cards sharing its command or lesson only the review ones, cards
        already studied: a card never seen is never hidden by another card's output."""
        now = self.clock.now()
        day = self.study_day(now)
        related = self._sibling_index().related(card_id)
        buried = []
        for siblings, kinds in (
            (related.same_note, (Category.NEW, Category.REVIEW)),
            (related.same_command, (Category.REVIEW,)),
        ):
            for sibling in siblings:
                if category_today(self._states.get(sibling), day, now) in kinds:
                    buried.append(
                        self.change_state(sibling, lambda s: replace(s, buried_until=day.end))
                    )
        return buried

    def held_back(self, deck: str | None) -> HeldBack:
        """The deck's cards buried until a later study day: how many because a sibling was
        answered today (so the day's queue can say why they are missing), how many else."""
        now = self.clock.now()
        day_start = self.study_day(now).start
        siblings = others = 0
        # Asked at every card shown: the states are scanned first (a 10,000-card collection
        # in about a millisecond), decks are looked at for the few buried ones only.
        buried = [
            state
            for state in self._states.values()
            if state.buried_until is not None and state.buried_until > now
        ]
        below = None if deck is None else deck + DECK_SEPARATOR
        for state in buried:
            card = self._cards_by_id.get(state.card_id)
            if card is None or (
                below is not None and card.deck != deck and not card.deck.startswith(below)
            ):
                continue
            related = self._sibling_index().related(card.id)
            # Whom bury_siblings would have buried it for: its note, or a command it shares
            # once studied (a new card buried by hand is not a sibling's doing).
            candidates = related.same_note + ([] if state.is_new else related.same_command)
            answered_today = any(
                (other := self._states.get(sibling)) is not None
                and other.last_review is not None
                and other.last_review >= day_start
                for sibling in candidates
            )
            if answered_today:
                siblings += 1
            else:
                others += 1
        return HeldBack(siblings, others)

    def siblings(self, card_id: str) -> list[str]:
        return self._sibling_index().siblings(card_id)

    def _sibling_index(self) -> SiblingIndex:
        if self._siblings is None:
            self._siblings = SiblingIndex(self.cards)
        return self._siblings

    def _queues_changed(self) -> None:
        for follower in list(self._followers):
            follower.rebuild()

    # settings ------------------------------------------------------------------------------

    def update_settings(self, settings: Settings) -> None:
        """Save what differs from the settings this app holds, over the file as it stands
        now (`studyapp sync-anki` may have changed other values meanwhile), and take the
        result: a theme change never writes old FSRS values back."""
        changed = {
            name: value
            for name, value in asdict(settings).items()
            if value != getattr(self.settings, name)
        }
        merged = replace(load_settings(self.data_dir), **changed)
        save_settings(self.data_dir, merged)
        self._take_settings(merged)

    def follow_settings_file(self) -> bool:
        """Take the settings file's values if it changed since this app read it (a sync run
        elsewhere adopted Anki's); True when it had."""
        if self._settings_stamp() == self._settings_seen:
            return False
        self._take_settings(load_settings(self.data_dir))
        return True

    def _take_settings(self, settings: Settings) -> None:
        self._settings_seen = self._settings_stamp()
        if settings == self.settings:
            return
        self.settings = settings
        self.scheduler = Scheduler(settings, self.clock.local_tz())
        self._queues_changed()

    def _settings_stamp(self) -> tuple[int, int] | None:
        try:
            info = settings_path(self.data_dir).stat()
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size

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

    # deck list and sessions ------------------------------------------------------------------

    def deck_tree(self) -> list[DeckRow]:
        return self.deck_overview()[1]

    def deck_overview(self) -> tuple[tuple[int, int, int], list[DeckRow]]:
        """(new, learning, due) of the whole collection, as a session over every deck would
        serve them, and the deck rows: both from one pass over the cards."""
        now = self.clock.now()
        day = self.study_day(now)
        whole, counts = deck_counts(
            ((card.deck, self._states.get(card.id)) for card in self.cards),
            day,
            now,
            self.limits(day),
            DECK_SEPARATOR,
        )
        # Course order: decks as their first cards come in the files (01-..., 02-...), every
        # parent right before its children (a parent's first card is its first child's).
        first_seen: dict[str, int] = {}
        for index, card in enumerate(self.cards):
            first_seen.setdefault(card.deck, index)
        rows = []
        for name in sorted(counts, key=lambda deck: _course_position(deck, first_seen)):
            parts = name.split(DECK_SEPARATOR)
            entry = counts[name]
            rows.append(
                DeckRow(name, parts[-1], len(parts) - 1, entry.new, entry.learning, entry.due)
            )
        return (whole.new, whole.learning, whole.due), rows

    def cards_in_deck(self, deck: str | None) -> Iterable[Card]:
        if deck is None:
            return self.cards
        prefix = deck + DECK_SEPARATOR
        return (card for card in self.cards if card.deck == deck or card.deck.startswith(prefix))

    def card_ids_in_deck(self, deck: str | None) -> list[str]:
        return [card.id for card in self.cards_in_deck(deck)]

    def follow(self, follower: QueueFollower) -> None:
        """Tell `follower` (held weakly) when cards or what is due change."""
        self._followers.add(follower)

    def next_due(self, deck: str | None) -> datetime | None:
        """When the deck next has a card to show (its earliest due, new cards the next study
        day, buried ones when they come back); None when every card is suspended."""
        now = self.clock.now()
        tomorrow = self.study_day(now).end
        earliest: datetime | None = None
        for card in self.cards_in_deck(deck):
            state = self.state(card.id)
            if state.suspended:
                continue
            when = tomorrow if state.is_new or state.due is None else state.due
            if state.buried_until is not None and state.buried_until > when:
                when = state.buried_until
            if earliest is None or when < earliest:
                earliest = when
        return earliest

    # stats, browse, card info ----------------------------------------------------------------

    def stats_input(self, weeks: int | None = None) -> StatsInput:
        """What `compute_stats` needs besides the log, taken now (cheap; then any thread).
        `weeks`: how far back the weekly figures go (STATS_WEEKS when None)."""
        from studyapp.stats import STATS_WEEKS, StatsInput

        now = self.clock.now()
        return StatsInput(
            states=[self.state(card.id) for card in self.cards],
            now=now,
            today=self.study_day(now).date,
            weeks=STATS_WEEKS if weeks is None else weeks,
            tz=self.clock.local_tz(),
            day_start_hour=self.settings.day_start_hour,
            memory_states=last_recomputed(self.store),
        )

    def stats(self, weeks: int | None = None) -> Stats:
        from studyapp.stats import compute_stats

        given = self.stats_input(weeks)
        return compute_stats(given, self.store.reviews_since(given.reviews_from))

    def browse(self, query: str) -> list[BrowseRow]:
        """Cards matching every term of `query` (see browse.py)."""
        from studyapp.browse import Moment, browse

        now = self.clock.now()
        return browse(self.cards, self.state, query, Moment(now, self.study_day(now).end))

    def history(self, card_id: str) -> list[RevlogEntry]:
        return self.store.history(card_id)

    def card_info(self, card_id: str) -> CardInfo | None:
        from studyapp.card_info import card_info

        card = self.card(card_id)
        if card is None:
            return None
        state = self.state(card_id)
        now = self.clock.now()
        return card_info(
            card,
            state,
            self.history(card_id),
            self.scheduler.retrievability(state, now),
            self.scheduler.scheduled_days(state) if state.phase is Phase.REVIEW else None,
        )


def forgotten(state: CardState) -> CardState:
    """A card made new again, as Anki's Reset (its counts and review log are kept)."""
    return replace(
        state,
        phase=Phase.NEW,
        step=None,
        stability=None,
        difficulty=None,
        due=None,
        last_review=None,
        buried_until=None,
        first_review=None,
    )
