"""Which Anki card is which terminal card: note GUID (deckgen's GUID of the card id) plus
the card's template.

deckgen gives every note the GUID of its card id; a `reversed` card's second template is the
terminal's `<id>:reverse` card. A cloze note's first card is the terminal's card (the study
app asks one card per cloze note).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from deckgen.anki_package import note_guid
from deckgen.cardformat.card_types import REVERSE_SUFFIX

AnkiKey = tuple[str, int]  # (note GUID, template ordinal)


def anki_key(card_id: str) -> AnkiKey:
    if card_id.endswith(REVERSE_SUFFIX):
        return note_guid(card_id.removesuffix(REVERSE_SUFFIX)), 1
    return note_guid(card_id), 0


@dataclass(frozen=True)
class DeckKeys:
    """The terminal's card ids by Anki key, and back."""

    by_key: dict[AnkiKey, str]

    @classmethod
    def of(cls, card_ids: Iterable[str]) -> DeckKeys:
        return cls({anki_key(card_id): card_id for card_id in card_ids})

    @property
    def guids(self) -> set[str]:
        return {guid for guid, _ in self.by_key}

    def card_id(self, guid: str, ordinal: int) -> str | None:
        return self.by_key.get((guid, ordinal))

    def note_card_id(self, guid: str) -> str:
        """The card id that names a note (its first card's; the GUID if none is known)."""
        found = [card_id for (key, ordinal), card_id in self.by_key.items() if key == guid]
        return min(found, key=len) if found else guid
