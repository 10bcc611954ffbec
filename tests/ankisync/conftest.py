"""Fixtures for the ankisync tests: a learner's Anki that has studied the deck."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from anki_support import (
    OTHER_DECK,
    StudiedAnki,
    answer,
    copy_collection,
    deck_reviews,
    export,
    import_deck,
    new_profile,
    study_in_anki,
    write_deck,
)
from sync_support import Learner
from terminal_support import study_in_terminal


@pytest.fixture(scope="module")
def studied_anki(tmp_path_factory: pytest.TempPathFactory) -> StudiedAnki:
    """Imported deckgen's package, FSRS on, answered with all four grades (learning and
    review cards, a lapse), plus another deck's card; exported every way Anki can."""
    work = tmp_path_factory.mktemp("anki")
    cards = write_deck(work / "cards")
    other = write_deck(work / "other", OTHER_DECK, "other.md")
    collection = new_profile(work / "Anki2")
    col = Collection(str(collection))
    try:
        import_deck(col, cards, work)
        import_deck(col, other, work)
        study_in_anki(col)
        answer(col, "Other Deck", (3,))
        reviews = frozenset(deck_reviews(col))
        exports = {kind: export(col, work, kind) for kind in ("apkg", "apkg-legacy", "colpkg")}
    finally:
        col.close()
    return StudiedAnki(cards.parent, collection, exports, reviews)


@pytest.fixture
def learner(studied_anki: StudiedAnki, tmp_path: Path) -> Learner:
    """Anki has studied the deck; so has the terminal, later, on partly the same cards."""
    collection = copy_collection(studied_anki.collection, tmp_path / "Anki2" / "User 1")
    cards = tmp_path / "cards"  # its own copy: a test edits the deck
    shutil.copytree(studied_anki.cards, cards)
    data = tmp_path / "data"
    study_in_terminal(cards, data, (3, 4, 1, 2, 4))
    return Learner(cards, collection, data)


@pytest.fixture
def opened(learner: Learner) -> Iterator[Collection]:
    col = Collection(str(learner.collection))
    yield col
    col.close()
