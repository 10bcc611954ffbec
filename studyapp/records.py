"""What the study app stores per card (`CardState`) and per review (`RevlogEntry`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum


class Phase(IntEnum):
    """A card's scheduling state: fsrs' three states plus NEW (never graded)."""

    NEW = 0
    LEARNING = 1  # = fsrs.State.Learning
    REVIEW = 2  # = fsrs.State.Review
    RELEARNING = 3  # = fsrs.State.Relearning

    @property
    def label(self) -> str:
        return self.name.lower()


class ReviewKind(IntEnum):
    """Kind of a review, numbered as Anki's `revlog.type`."""

    LEARN = 0
    REVIEW = 1
    RELEARN = 2
    FILTERED = 3
    MANUAL = 4


LEECH_TAG = "leech"


@dataclass(frozen=True)
class CardState:
    card_id: str
    phase: Phase = Phase.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0
    suspended: bool = False
    buried_until: datetime | None = None
    first_seen: datetime | None = None
    last_seen_in_sources: datetime | None = None
    first_review: datetime | None = None  # counts the card against the day's new limit
    extra_tags: tuple[str, ...] = field(default=())  # tags the app adds, e.g. `leech`

    @property
    def is_new(self) -> bool:
        return self.phase is Phase.NEW


@dataclass(frozen=True)
class RevlogEntry:
    """One review, keeping what Anki's `revlog` table keeps so it can be exported there.

    Field -> Anki `revlog` column:
      id            -> id       (time of the review, epoch milliseconds; also the row key)
      card_id       -> cid      (our stable text id; an exporter maps it to the Anki note's card)
      rating        -> ease     (1 Again, 2 Hard, 3 Good, 4 Easy)
      interval      -> ivl      (new interval: days when positive, seconds when negative)
      last_interval -> lastIvl  (previous interval, same convention; 0 for a new card)
      difficulty    -> factor   (FSRS difficulty 1-10; Anki with FSRS keeps difficulty in
                                 `factor`, an exporter scales it to Anki's integer form)
      stability     -> (Anki recomputes memory state from the log; kept for FSRS exports)
      duration_ms   -> time     (answer time in milliseconds, capped at 60 s as Anki does)
      kind          -> type     (0 learn, 1 review, 2 relearn, 3 filtered, 4 manual)
    """

    id: int
    card_id: str
    rating: int
    interval: int
    last_interval: int
    difficulty: float | None
    stability: float | None
    duration_ms: int
    kind: ReviewKind

    @property
    def reviewed_at(self) -> datetime:
        return ms_to_datetime(self.id)


def datetime_to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def ms_to_datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


SUSPENDED = "suspended"
STATE_NAMES = (*(phase.label for phase in Phase), SUSPENDED)


def state_name(state: CardState) -> str:
    """What the stats and the browser call a card's state: its phase, or `suspended`."""
    return SUSPENDED if state.suspended else Phase(state.phase).label
