"""The browser's query language: words, `tag:`, `deck:` and `is:` terms, all of which must match.

Terms split as a shell does, so `deck:"Brokers and Redis"` or `"task queue"` is one term.
`is:` filters by state, as Anki's: new, due (a learning or review card due today), learn
(learning or relearning), review, suspended, buried, leech.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from deckgen.cardformat.model import DECK_SEPARATOR, Card
from studyapp.records import LEECH_TAG, CardState, Phase, state_name

IS_FILTERS = ("new", "due", "learn", "review", "suspended", "buried", "leech")


@dataclass(frozen=True)
class BrowseRow:
    card: Card
    state: str  # new / learning / review / relearning / suspended
    due: datetime | None
    reps: int
    lapses: int
    buried: bool = False
    leech: bool = False


@dataclass(frozen=True)
class Moment:
    """When the query runs: `now`, and the end of the current study day (for `is:due`)."""

    now: datetime
    day_end: datetime


def browse(
    cards: Iterable[Card], state_of: Callable[[str], CardState], query: str, moment: Moment
) -> list[BrowseRow]:
    terms = [term.lower() for term in split_query(query)]
    rows = []
    for card in cards:
        state = state_of(card.id)
        if all(matches(card, state, term, moment) for term in terms):
            rows.append(
                BrowseRow(
                    card,
                    state_name(state),
                    None if state.is_new else state.due,
                    state.reps,
                    state.lapses,
                    buried=is_buried(state, moment.now),
                    leech=LEECH_TAG in state.extra_tags,
                )
            )
    return rows


def split_query(query: str) -> list[str]:
    try:
        return shlex.split(query)
    except ValueError:  # an unbalanced quote while the user is still typing
        return query.split()


def matches(card: Card, state: CardState, term: str, moment: Moment) -> bool:
    """`term` is lower case already."""
    if term.startswith("tag:"):
        wanted = term[4:]
        return any(tag.lower() == wanted for tag in (*card.tags, *state.extra_tags))
    if term.startswith("deck:"):
        return deck_matches(card.deck.lower(), term[5:])
    if term.startswith("is:") and term[3:] in IS_FILTERS:
        return is_filter(state, term[3:], moment)
    return term in card.title.lower() or term in card.front.lower() or term in card.back.lower()


def is_buried(state: CardState, now: datetime) -> bool:
    return state.buried_until is not None and state.buried_until > now


def is_filter(state: CardState, name: str, moment: Moment) -> bool:
    phase = state.phase
    if name == "new":
        return phase is Phase.NEW
    if name == "learn":
        return phase in (Phase.LEARNING, Phase.RELEARNING)
    if name == "review":
        return phase in (Phase.REVIEW, Phase.RELEARNING)
    if name == "suspended":
        return state.suspended
    if name == "buried":
        return is_buried(state, moment.now)
    if name == "leech":
        return LEECH_TAG in state.extra_tags
    # due: scheduled, due before today ends, and not hidden
    return (
        phase is not Phase.NEW
        and state.due is not None
        and state.due < moment.day_end
        and not state.suspended
        and not is_buried(state, moment.now)
    )


def deck_matches(deck: str, wanted: str) -> bool:
    """`wanted` starts the full name or the name from any level down (`celery::brok`,
    `brokers and`, `brokers and redis::sub`), or occurs inside one level's name (`redis`)."""
    parts = deck.split(DECK_SEPARATOR)
    for level in range(len(parts)):
        if DECK_SEPARATOR.join(parts[level:]).startswith(wanted) or wanted in parts[level]:
            return True
    return False
