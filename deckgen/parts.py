"""The unit that flows from rendering to the package: one chunk's cards and their HTML."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from deckgen.model import Card, CardError
from deckgen.render import RenderedCard


@dataclass
class RenderedPart:
    """The cards of one chunk of a file (normally one card) with their HTML."""

    cards: list[Card] = field(default_factory=list)
    notes: list[RenderedCard] = field(default_factory=list)
    errors: list[CardError] = field(default_factory=list)
    cache_entry: list[Any] | None = None  # as loaded, when the part came from the cache
    encoded_entry: str | None = None  # its cache entry as JSON, when a worker rendered it
