"""Fixtures for the ankisync tests: a learner's Anki that has studied the deck."""

from __future__ import annotations

import pytest
from anki.collection import Collection
from anki_support import (
    OTHER_DECK,
    StudiedAnki,
    answer,
    deck_reviews,
    export,
    import_deck,
    new_profile,
    study_in_anki,
    write_deck,
)


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
