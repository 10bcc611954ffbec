"""Stable card ids: an explicit `**ID:**`, else a slug of the deck and the title.

The `Card N` number is never part of an id, so renumbering or reordering cards keeps
every card's identity (and its review history).
"""

from __future__ import annotations

from collections.abc import Sequence

from deckgen.model import DECK_SEPARATOR

ID_SEPARATOR = "/"


def slugify(text: str) -> str:
    """Lower-case letters and digits (any script) joined by single hyphens."""
    words: list[str] = []
    current: list[str] = []
    for char in text.casefold():
        if char.isalnum():
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return "-".join(words)


def derived_card_id(deck: str, title: str) -> str:
    """`deck-slug/sub-deck-slug/title-slug`; empty when the title has no letters or digits."""
    title_slug = slugify(title)
    if not title_slug:
        return ""
    deck_slugs = [slugify(part) or "deck" for part in deck.split(DECK_SEPARATOR)]
    return ID_SEPARATOR.join([*deck_slugs, title_slug])


def is_valid_explicit_id(card_id: str) -> bool:
    """Explicit ids: no whitespace, printable, and not empty."""
    return bool(card_id) and card_id.isprintable() and not any(c.isspace() for c in card_id)


def deck_name(parts: Sequence[str]) -> str:
    return DECK_SEPARATOR.join(parts)
