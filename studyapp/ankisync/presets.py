"""FSRS settings from the Anki deck preset, so the terminal schedules as Anki does, and
the hour Anki's day starts at, so a card is due on the same day on both sides.

When Anki uses FSRS, the preset of the deck that holds the deck files' cards (the one most
of them are in) decides: its own parameters (once the learner optimized them) and its
desired retention become the terminal's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from studyapp.ankisync.anki_format import AnkiDeckView, chunks, db, marks
from studyapp.settings import FSRS_PARAMETER_COUNT, RETENTION_RANGE, Settings

if TYPE_CHECKING:
    from anki.collection import Collection


@dataclass(frozen=True)
class AnkiPreset:
    name: str
    parameters: tuple[float, ...]  # empty until optimized in Anki
    desired_retention: float
    deck_id: int = 0  # the deck it was read from


def deck_preset(col: Collection, view: AnkiDeckView) -> AnkiPreset | None:
    """The preset of the deck holding most of these cards; None when Anki is not on FSRS."""
    if not col.get_config("fsrs", False) or not view.cards:
        return None
    decks: Counter[int] = Counter()
    cids = sorted(ref.cid for ref in view.cards.values())
    for part in chunks(cids):
        decks.update(db(col).list(f"select did from cards where id in ({marks(len(part))})", *part))
    deck_id = decks.most_common(1)[0][0]
    config = col.decks.config_dict_for_deck_id(deck_id)  # type: ignore[arg-type]
    parameters = tuple(float(value) for value in config.get("fsrsParams6") or ())
    retention = round(float(config.get("desiredRetention", 0.9)), 4)  # stored as float32
    return AnkiPreset(str(config.get("name", "")), parameters, retention, deck_id)


def rollover_hour(col: Collection) -> int:
    """The hour Anki's next day starts at (Preferences > Review), for the whole collection."""
    return int(col.get_preferences().scheduling.rollover)


def adopted(settings: Settings, preset: AnkiPreset) -> Settings:
    """The terminal's settings with the preset's FSRS choices (unchanged if it has none)."""
    changed = settings
    if len(preset.parameters) == FSRS_PARAMETER_COUNT and not same_parameters(
        preset.parameters, settings.fsrs_parameters
    ):  # Anki's own: no longer the ones `studyapp optimize` fitted
        changed = replace(changed, fsrs_parameters=preset.parameters, fsrs_parameters_optimized="")
    low, high = RETENTION_RANGE
    if low <= preset.desired_retention <= high:
        changed = replace(changed, desired_retention=preset.desired_retention)
    return changed


def same_parameters(one: tuple[float, ...], other: tuple[float, ...]) -> bool:
    """Equal as Anki keeps them (32-bit floats)."""
    return len(one) == len(other) and all(
        abs(a - b) <= 1e-5 * max(1.0, abs(b)) for a, b in zip(one, other, strict=True)
    )


def describe(preset: AnkiPreset, settings: Settings) -> str:
    own = "its own FSRS parameters" if settings.fsrs_parameters else "FSRS's default parameters"
    return f"Anki's preset {preset.name!r}: desired retention {settings.desired_retention}, {own}"
