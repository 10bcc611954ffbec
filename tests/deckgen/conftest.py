"""Fixtures for the deckgen tests: sample card files in a temporary folder, and an empty
Anki collection (official `anki` library) to import packages into."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from deckgen_support import SAMPLE_DECK


@pytest.fixture
def write_card_file(tmp_path: Path) -> Callable[..., Path]:
    def write(relative: str, text: str) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def sample_deck(write_card_file: Callable[..., Path]) -> Path:
    return write_card_file("cards/basics.md", SAMPLE_DECK)


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Collection]:
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield col
    col.close()
