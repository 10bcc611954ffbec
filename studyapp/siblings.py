"""Sibling cards: cards that give each other away, buried for the day once one is answered.

As Anki buries the other cards of a note, the study app also treats as siblings the cards
whose commands are the same (their output answers both) or run the same lesson module.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from deckgen.cardformat.card_types import note_id
from deckgen.cardformat.model import Card

_LESSON = re.compile(r"-m\s+(?:demo_project\.)?lessons\.(\w+)")


def sibling_keys(card: Card) -> tuple[str, ...]:
    keys = [f"note:{note_id(card.id)}"]
    if card.run is not None:
        command = " ".join(card.run.command.split())
        keys.append(f"run:{command}")
        lesson = _LESSON.search(command)
        if lesson:
            keys.append(f"lesson:{lesson.group(1)}")
    return tuple(keys)


class SiblingIndex:
    def __init__(self, cards: Iterable[Card]) -> None:
        self._keys: dict[str, tuple[str, ...]] = {}
        self._members: defaultdict[str, list[str]] = defaultdict(list)
        for card in cards:
            keys = sibling_keys(card)
            self._keys[card.id] = keys
            for key in keys:
                self._members[key].append(card.id)

    def siblings(self, card_id: str) -> list[str]:
        """The other cards sharing a note, a command or a lesson with `card_id`, in order."""
        found: dict[str, None] = {}
        for key in self._keys.get(card_id, ()):
            for other in self._members[key]:
                if other != card_id:
                    found[other] = None
        return list(found)
