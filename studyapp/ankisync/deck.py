"""The terminal's side: the deck files parsed by the study app, its progress store, and the
deck's package as deckgen builds it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from studyapp.ankisync.errors import AnkiSyncError
from studyapp.ankisync.matching import DeckKeys
from studyapp.settings import SettingsError
from studyapp.store import StoreError
from studyapp.study import Study, no_cards_message

PACKAGE_FOLDER = "anki"  # in the data folder; deckgen's build cache beside the package
PACKAGE_NAME = "deck.apkg"  # keeps each note's `mod` steady between syncs


@contextmanager
def opened_study(paths: Sequence[Path], data_dir: Path) -> Iterator[Study]:
    """The study app on these card files; AnkiSyncError on any problem in them."""
    try:
        study = Study.open(paths, data_dir)
    except (SettingsError, StoreError) as exc:
        raise AnkiSyncError(str(exc)) from None
    try:
        if study.errors:
            raise AnkiSyncError(f"{study.errors[0]} (fix the card files first; nothing written)")
        if not study.cards:
            raise AnkiSyncError(no_cards_message(paths))
        yield study
    finally:
        study.close()


def deck_keys(study: Study) -> DeckKeys:
    return DeckKeys.of(card.id for card in study.cards)


def build_deck_package(study: Study) -> Path:
    """The deck's `.apkg`, exactly as `deckgen build` makes it."""
    from deckgen.build import build

    output = study.data_dir / PACKAGE_FOLDER / PACKAGE_NAME
    report = build(study.searched_paths, output)
    if report.errors:
        raise AnkiSyncError(f"{report.errors[0]} (nothing written)")
    return output
