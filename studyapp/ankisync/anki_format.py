"""The terminal's cards, reviews, days and schedules in Anki's terms, and the deck's cards
and review logs read out of a collection.

Which Anki card is which terminal card: note GUID (deckgen's GUID of the card id) plus the
card's template; a `reversed` card's second template is the terminal's `<id>:reverse`
card, a cloze note's card N (template N - 1) the terminal's `<id>:cN` (`<id>` for N = 1).

Review-log rows: both sides key a review by its time in epoch milliseconds, so that id is
the review's identity across the two: a review already present on a side is never added
again. Rows move as plain tuples: a first sync carries tens of thousands each way.

Days: Anki keeps a review card's due date as a day number (days since the collection was
created, days starting at its rollover hour) and an intraday learning card's as epoch
seconds; the terminal keeps datetimes, a due day becoming the start of that study day.

Schedules: Anki card fields `type` (0 new, 1 learning, 2 review, 3 relearning), `queue`
(0 new, 1 intraday learning due in epoch seconds, 2 review and 3 interday learning due as a
day number, -1 suspended, -2/-3 buried), `ivl` in days, `left` the learning steps to go.

Reading goes through the library's own connection (`col.db`): there is no higher API for
listing many cards' GUIDs and review logs at once. Only review ids are read for the whole
deck (enough for the merge rule); whole rows only for the reviews that move.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar, cast

from deckgen.anki_package import note_guid
from deckgen.cardformat.card_types import REVERSE_SUFFIX, cloze_number, note_id
from studyapp.records import CardState, Phase, ReviewKind
from studyapp.settings import Settings

if TYPE_CHECKING:
    from anki.cards import Card as AnkiCard
    from anki.collection import Collection
    from anki.consts import CardQueue, CardType
    from anki.dbproxy import DBProxy
    from anki.decks import DeckId


# Which card is which ------------------------------------------------------------------

AnkiKey = tuple[str, int]  # (note GUID, template ordinal)


def anki_key(card_id: str) -> AnkiKey:
    if card_id.endswith(REVERSE_SUFFIX):
        return note_guid(card_id.removesuffix(REVERSE_SUFFIX)), 1
    number = cloze_number(card_id)
    if number > 1:  # Anki's cloze card N is the note's template ordinal N - 1
        return note_guid(note_id(card_id)), number - 1
    return note_guid(card_id), 0


@dataclass(frozen=True)
class DeckKeys:
    """The terminal's card ids by Anki key, and back."""

    by_key: dict[AnkiKey, str]

    @classmethod
    def of(cls, card_ids: Iterable[str]) -> DeckKeys:
        return cls({anki_key(card_id): card_id for card_id in card_ids})

    @cached_property
    def guids(self) -> set[str]:
        return {guid for guid, _ in self.by_key}

    def card_id(self, guid: str, ordinal: int) -> str | None:
        return self.by_key.get((guid, ordinal))

    def note_card_id(self, guid: str) -> str:
        """The card id that names a note (its first card's; the GUID if none is known)."""
        return self._note_names.get(guid, guid)

    @cached_property
    def _note_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for (guid, _), card_id in self.by_key.items():
            if guid not in names or len(card_id) < len(names[guid]):
                names[guid] = card_id
        return names


# Days ---------------------------------------------------------------------------------

EPOCH_SECONDS_FROM = 1_000_000_000  # a learning card's `due` above this is a timestamp


@dataclass(frozen=True)
class AnkiDays:
    today: int  # Anki's number for the current day
    today_date: date  # the local date of that day
    rollover_hour: int
    tz: tzinfo
    next_cutoff: datetime  # when Anki's next day starts

    @classmethod
    def of(cls, col: Any, now: datetime, tz: tzinfo) -> AnkiDays:
        rollover = int(col.get_preferences().scheduling.rollover)
        local = now.astimezone(tz) - timedelta(hours=rollover)
        cutoff = datetime.fromtimestamp(col.sched.day_cutoff, tz=UTC)
        return cls(col.sched.today, local.date(), rollover, tz, cutoff)

    def day_number(self, moment: datetime) -> int:
        local = moment.astimezone(self.tz) - timedelta(hours=self.rollover_hour)
        return self.today + (local.date() - self.today_date).days

    def day_start(self, number: int) -> datetime:
        day = self.today_date + timedelta(days=number - self.today)
        return datetime.combine(day, time(self.rollover_hour), tzinfo=self.tz).astimezone(UTC)

    def due_moment(self, due: int) -> datetime:
        """A learning or review card's `due` as a datetime."""
        if due > EPOCH_SECONDS_FROM:
            return datetime.fromtimestamp(due, tz=UTC)
        return self.day_start(due)


# Review-log rows ----------------------------------------------------------------------

# Anki's revlog types 0-3 are answers; 4 (manual), 5 (rescheduled) are not reviews.
ANSWER_TYPES = frozenset({0, 1, 2, 3})
REVLOG_COLUMNS = "id, cid, ease, ivl, lastIvl, factor, time, type"
LEARNING_KINDS = frozenset({int(ReviewKind.LEARN), int(ReviewKind.RELEARN)})


# Rows move between the two logs as plain tuples: a first sync carries tens of thousands
# of reviews each way, and an object per review costs more than the database work.
AnkiRow = tuple[Any, ...]  # REVLOG_COLUMNS
TerminalRow = tuple[Any, ...]  # the store's `review_rows`: RevlogEntry's fields in order


def terminal_row(anki: AnkiRow, card_id: str) -> TerminalRow:
    """An Anki revlog row (REVLOG_COLUMNS) as the terminal's `RevlogEntry` columns."""
    review_id, _cid, ease, ivl, last_ivl, _factor, time, kind = anki
    # Anki recomputes memory states from the log; no need to guess difficulty/stability.
    return (review_id, card_id, ease, ivl, last_ivl, None, None, time, kind)


def anki_row(entry: TerminalRow, cid: int, usn: int) -> tuple[int, ...]:
    """Values for `id, cid, usn, ease, ivl, lastIvl, factor, time, type`."""
    review_id, _card_id, rating, interval, last_interval, difficulty, _stab, duration, kind = entry
    # Anki keeps no ease factor on learning answers; with FSRS a review keeps difficulty x100.
    learning = kind in LEARNING_KINDS
    factor = 0 if learning or difficulty is None else round(difficulty * 100)
    return (review_id, cid, usn, rating, interval, last_interval, factor, duration, kind)


# Reading the deck out of a collection -------------------------------------------------

CHUNK = 2000  # values per `IN (...)`, well under SQLite's limit on bound parameters
T = TypeVar("T")
# Answers only: Anki's manual and rescheduling rows (type 4, 5; ease 0) are not reviews.
IS_ANSWER = f"ease between 1 and 4 and type in ({', '.join(map(str, sorted(ANSWER_TYPES)))})"


@dataclass(frozen=True)
class AnkiCardRef:
    cid: int
    nid: int
    card_id: str  # the terminal's id


@dataclass
class AnkiDeckView:
    """The collection's cards that belong to the deck files, and their answers' ids."""

    cards: dict[str, AnkiCardRef] = field(default_factory=dict)  # by terminal card id
    review_ids: dict[str, list[int]] = field(default_factory=dict)  # oldest first
    guids_present: set[str] = field(default_factory=set)
    notes_total: int = 0

    @property
    def notes_matched(self) -> int:
        return len({ref.nid for ref in self.cards.values()})


def db(col: Collection) -> DBProxy:
    """The collection's connection (None only after `close`)."""
    if col.db is None:
        raise RuntimeError("the Anki collection is closed")
    return col.db


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def marks(count: int) -> str:
    return ", ".join("?" * count)


def read_deck(col: Collection, keys: DeckKeys) -> AnkiDeckView:
    view = AnkiDeckView(notes_total=int(db(col).scalar("select count() from notes")))
    for part in chunks(sorted(keys.guids)):
        rows = db(col).all(
            "select c.id, c.nid, n.guid, c.ord from cards c join notes n on n.id = c.nid "
            f"where n.guid in ({marks(len(part))})",
            *part,
        )
        for cid, nid, guid, ordinal in rows:
            view.guids_present.add(guid)
            card_id = keys.card_id(guid, ordinal)
            if card_id is not None:
                view.cards[card_id] = AnkiCardRef(cid, nid, card_id)
    view.review_ids = review_ids_of(col, view.cards.values())
    return view


def review_ids_of(col: Collection, refs: Iterable[AnkiCardRef]) -> dict[str, list[int]]:
    by_cid = {ref.cid: ref.card_id for ref in refs}
    found: dict[str, list[int]] = defaultdict(list)
    for part in chunks(sorted(by_cid)):
        rows = db(col).all(
            f"select cid, id from revlog where cid in ({marks(len(part))}) and {IS_ANSWER}",
            *part,
        )
        for cid, review_id in rows:
            found[by_cid[cid]].append(review_id)
    for ids in found.values():
        ids.sort()
    return dict(found)


def reviews_by_id(col: Collection, ids: Sequence[int]) -> dict[int, AnkiRow]:
    """Whole revlog rows (REVLOG_COLUMNS) by id."""
    found: dict[int, AnkiRow] = {}
    for part in chunks(sorted(ids)):
        rows = db(col).all(
            f"select {REVLOG_COLUMNS} from revlog where id in ({marks(len(part))})", *part
        )
        found.update((row[0], tuple(row)) for row in rows)
    return found


def taken_revlog_ids(col: Collection, ids: Sequence[int]) -> set[int]:
    """Which of these revlog ids Anki already uses (for any card)."""
    taken: set[int] = set()
    for part in chunks(sorted(ids)):
        taken.update(db(col).list(f"select id from revlog where id in ({marks(len(part))})", *part))
    return taken


# Schedules ----------------------------------------------------------------------------

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
QUEUE_SUSPENDED, QUEUE_LEARNING, QUEUE_REVIEW, QUEUE_DAY_LEARNING = -1, 1, 2, 3
HIDDEN_QUEUES = (-3, -2, QUEUE_SUSPENDED)  # buried by hand, buried as a sibling, suspended
DEFAULT_EASE = 2500  # Anki's starting ease factor, kept on review cards even under FSRS
FALLBACK_DIFFICULTY = 5.0  # middle of FSRS's 1-10, for a card Anki scheduled without FSRS

_PHASES = {NEW: Phase.NEW, LEARNING: Phase.LEARNING, REVIEW: Phase.REVIEW}
_TYPES = {Phase.LEARNING: LEARNING, Phase.REVIEW: REVIEW, Phase.RELEARNING: RELEARNING}


def state_from_anki(
    card: AnkiCard,
    previous: CardState,
    last_review: datetime | None,
    first_review: datetime | None,
    days: AnkiDays,
    settings: Settings,
    memory: tuple[float, float] | None,
) -> CardState:
    """The terminal state of a card Anki reviewed last.

    `memory` is (stability, difficulty) when the card has none of its own (FSRS off in Anki).
    """
    suspended = previous.suspended  # suspension and burial travel apart (card_changes.py)
    phase = _PHASES.get(card.type, Phase.RELEARNING)
    if phase is Phase.NEW:
        return replace(previous, phase=Phase.NEW, step=None, stability=None,
                       difficulty=None, due=None, reps=card.reps, lapses=card.lapses,
                       suspended=suspended)  # fmt: skip
    if card.memory_state is not None:
        stability, difficulty = card.memory_state.stability, card.memory_state.difficulty
    elif memory is not None:
        stability, difficulty = memory
    else:
        stability, difficulty = float(max(card.ivl, 1)), FALLBACK_DIFFICULTY
    step = None
    if phase is not Phase.REVIEW:
        steps = (
            settings.learning_steps_minutes
            if phase is Phase.LEARNING
            else settings.relearning_steps_minutes
        )
        step = min(max(len(steps) - card.left % 1000, 0), max(len(steps) - 1, 0))
    return replace(
        previous,
        phase=phase,
        step=step,
        stability=float(stability),
        difficulty=float(difficulty),
        due=days.due_moment(card.due),
        last_review=last_review or previous.last_review,
        reps=card.reps,
        lapses=card.lapses,
        suspended=suspended,
        first_review=previous.first_review or first_review,
    )


def apply_state(card: AnkiCard, state: CardState, days: AnkiDays, settings: Settings) -> None:
    """Give an Anki card the terminal's schedule (the terminal reviewed it last)."""
    # Called per card: anki's NewTypes are plain ints at run time, so they are only cast
    # here (a `from anki.consts import ...` per call costs more than the rest of it: those
    # modules answer every attribute probe through a deprecation hook).
    from anki.cards import FSRSMemoryState

    if state.due is None or state.last_review is None or state.phase is Phase.NEW:
        return
    hidden = card.queue if card.queue in HIDDEN_QUEUES else None  # see card_changes.py
    if card.odid:  # in a filtered deck: the schedule below is its home deck's
        card.did, card.odid, card.odue = card.odid, cast("DeckId", 0), 0
    card.type = cast("CardType", _TYPES[state.phase])
    if state.phase is Phase.REVIEW:
        card.queue = cast("CardQueue", QUEUE_REVIEW)
        card.due = days.day_number(state.due)
        card.ivl = max(1, card.due - days.day_number(state.last_review))
        card.left = 0
    else:
        if state.due < days.next_cutoff:
            card.queue, card.due = cast("CardQueue", QUEUE_LEARNING), int(state.due.timestamp())
        else:
            card.queue, card.due = cast("CardQueue", QUEUE_DAY_LEARNING), days.day_number(state.due)
        steps = (
            settings.learning_steps_minutes
            if state.phase is Phase.LEARNING
            else settings.relearning_steps_minutes
        )
        card.left = max(len(steps) - (state.step or 0), 1)
        card.ivl = 0 if state.phase is Phase.LEARNING else max(1, round(state.stability or 1))
    if card.type in (REVIEW, RELEARNING) and not card.factor:
        card.factor = DEFAULT_EASE
    if hidden is not None:  # suspended or buried in Anki: it stays so, whatever its schedule
        card.queue = hidden
    card.reps = state.reps
    card.lapses = state.lapses
    if state.stability is not None and state.difficulty is not None:
        card.memory_state = FSRSMemoryState(stability=state.stability, difficulty=state.difficulty)
    card.last_review_time = int(state.last_review.timestamp())
