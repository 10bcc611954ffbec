"""Stable card ids: an explicit `**ID:**`, else a slug of the deck and the title.

The `Card N` number is never part of an id, so renumbering or reordering cards keeps
every card's identity (and its review history).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

from deckgen.cardformat.model import DECK_SEPARATOR, Card, CardError

ID_SEPARATOR = "/"


# Runs of letters and digits of any script: `\w` is exactly `str.isalnum()` plus "_".
WORD_RUN = re.compile(r"[^\W_]+")


def slugify(text: str) -> str:
    """Lower-case letters and digits (any script) joined by single hyphens."""
    return "-".join(WORD_RUN.findall(text.casefold()))


@cache
def deck_slugs(deck: str) -> tuple[str, ...]:
    return tuple(slugify(part) or "deck" for part in deck.split(DECK_SEPARATOR))


def derived_card_id(deck: str, title: str) -> str:
    """`deck-slug/sub-deck-slug/title-slug`; empty when the title has no letters or digits."""
    title_slug = slugify(title)
    if not title_slug:
        return ""
    return ID_SEPARATOR.join([*deck_slugs(deck), title_slug])


def is_valid_explicit_id(card_id: str) -> bool:
    """Explicit ids: no whitespace, printable, and not empty."""
    return bool(card_id) and card_id.isprintable() and not any(c.isspace() for c in card_id)


def deck_name(parts: Sequence[str]) -> str:
    return DECK_SEPARATOR.join(parts)


def duplicate_id_errors(cards: Iterable[Card]) -> list[CardError]:
    first_seen: dict[str, Card] = {}
    errors: list[CardError] = []
    for card in cards:
        first = first_seen.setdefault(card.id, card)
        if first is not card:
            errors.append(
                CardError(
                    card.location,
                    f"duplicate id '{card.id}': the card at {first.location} has the same id "
                    "(give one of them an explicit **ID:**)",
                )
            )
    return errors
