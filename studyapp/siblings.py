"""Sibling cards: cards that give each other away, buried for the day once one is answered.

As Anki does, the other cards of a note (a reversed card's other side) are siblings. The study
app also relates cards whose commands are the same (their output answers both) or run the
same lesson module; those are only held back once studied (see `Study.bury_siblings`), so a
card never seen is never hidden by another card's command.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from deckgen.cardformat.card_types import note_id
from deckgen.cardformat.model import Card

_LESSON = re.compile(r"-m\s+(?:demo_project\.)?lessons\.(\w+)")
NOTE_KEY = "note:"


def sibling_keys(card: Card) -> tuple[str, ...]:
    keys = [f"{NOTE_KEY}{note_id(card.id)}"]
    if card.run is not None:
        command = " ".join(card.run.command.split())
        keys.append(f"run:{command}")
        lesson = _LESSON.search(command)
        if lesson:
            keys.append(f"lesson:{lesson.group(1)}")
    return tuple(keys)


@dataclass(frozen=True)
class Related:
    """A card's siblings: of its own note, and (the others) sharing a command or lesson."""

    same_note: list[str]
    same_command: list[str]


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
        related = self.related(card_id)
        return [*related.same_note, *related.same_command]

    def related(self, card_id: str) -> Related:
        same_note: dict[str, None] = {}
        same_command: dict[str, None] = {}
        for key in self._keys.get(card_id, ()):
            found = same_note if key.startswith(NOTE_KEY) else same_command
            for other in self._members[key]:
                if other != card_id:
                    found[other] = None
        return Related(list(same_note), [other for other in same_command if other not in same_note])
