"""Shared helpers for the deck tests: where things are and the parsed deck."""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

from deckgen.cardformat.load import load
from deckgen.cardformat.model import Card

REPO = Path(__file__).resolve().parents[2]
CARDS_DIR = REPO / "cards"
LESSONS_DIR = REPO / "demo_project" / "lessons"
VENV_BIN = Path(sys.executable).parent
KEBAB_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@functools.cache
def deck() -> tuple[Card, ...]:
    result = load([CARDS_DIR])
    assert result.ok, "\n".join(str(error) for error in result.errors)
    return tuple(result.cards)


def card_ids() -> set[str]:
    return {card.id for card in deck()}
