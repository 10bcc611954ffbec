"""Write the terminal's optimized FSRS parameters into the Anki deck preset (only when asked).

Through the library's deck-options call (`update_deck_configs`), the one Anki's own deck
options screen saves with: Anki checks the parameters and recomputes the memory states of
the preset's cards with them, as it does after its own "Optimize".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from studyapp.ankisync.presets import AnkiPreset, same_parameters
from studyapp.settings import Settings

if TYPE_CHECKING:
    from anki.collection import Collection


def write_preset_parameters(col: Collection, deck_id: int, parameters: Sequence[float]) -> None:
    from anki.decks import DeckId, UpdateDeckConfigs, UpdateDeckConfigsMode

    current = col.decks.get_deck_configs_for_update(DeckId(deck_id))
    preset = next(
        entry.config for entry in current.all_config
        if entry.config.id == current.current_deck.config_id
    )  # fmt: skip
    del preset.config.fsrs_params_6[:]
    preset.config.fsrs_params_6.extend(parameters)
    col.decks.update_deck_configs(
        UpdateDeckConfigs(
            target_deck_id=deck_id,  # keeps the preset it has
            configs=[preset],
            removed_config_ids=[],
            mode=UpdateDeckConfigsMode.UPDATE_DECK_CONFIGS_MODE_NORMAL,
            card_state_customizer=current.card_state_customizer,
            limits=current.current_deck.limits,
            new_cards_ignore_review_limit=current.new_cards_ignore_review_limit,
            fsrs=current.fsrs,
            apply_all_parent_limits=current.apply_all_parent_limits,
            fsrs_reschedule=False,  # due dates stay as they are
            fsrs_health_check=current.fsrs_health_check,
        )
    )


def parameters_for_anki(
    settings: Settings, preset: AnkiPreset | None, asked: bool, dry_run: bool
) -> tuple[bool, str]:
    """Whether to write the terminal's parameters into the preset, and the report's line."""
    if not asked:
        return False, ""
    if not settings.fsrs_parameters_optimized:
        return False, (
            "FSRS parameters not written to Anki: the terminal's are not optimized "
            "(`studyapp optimize` fits them)"
        )
    if preset is None:
        return False, "FSRS parameters not written to Anki: Anki is not using FSRS"
    if same_parameters(preset.parameters, settings.fsrs_parameters):
        return False, f"Anki's preset {preset.name!r} already has the terminal's FSRS parameters"
    return True, (
        f"Anki's preset {preset.name!r} {'would get' if dry_run else 'got'} the terminal's FSRS "
        f"parameters (optimized on {settings.fsrs_parameters_optimized}); Anki "
        f"{'would recompute' if dry_run else 'recomputed'} its cards' memory states with them"
    )


def keep_own_parameters(adopted: Settings, own: Settings) -> Settings:
    """The preset's other choices, but the terminal's parameters (about to go to Anki)."""
    return replace(
        adopted,
        fsrs_parameters=own.fsrs_parameters,
        fsrs_parameters_optimized=own.fsrs_parameters_optimized,
    )
