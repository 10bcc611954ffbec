"""`sync-anki --write-fsrs-parameters`: the Anki preset gets the terminal's optimized FSRS
parameters (and Anki recomputes its cards' memory states); without it, the terminal keeps
taking the preset's."""

from __future__ import annotations

from dataclasses import replace

import pytest
from anki.collection import Collection
from anki_support import deck_id_of
from fsrs_rs_python import DEFAULT_PARAMETERS
from sync_support import Learner, sync

from studyapp.settings import load_settings, save_settings

ANKI_PARAMETERS = [round(value * 1.1, 4) for value in DEFAULT_PARAMETERS]
TERMINAL_PARAMETERS = tuple(round(value * 0.9, 4) for value in DEFAULT_PARAMETERS)
OPTIMIZED_ON = "2026-12-01"


def preset_and_memory(learner: Learner) -> tuple[list[float], list[tuple[float, float]]]:
    """The Sync Basics preset's parameters and its reviewed cards' memory states in Anki."""
    col = Collection(str(learner.collection))
    try:
        deck = deck_id_of(col, "Sync Basics")
        config = col.decks.config_dict_for_deck_id(deck)  # type: ignore[arg-type]
        memory = []
        for card_id in col.find_cards(f"did:{deck} -is:new"):
            state = col.get_card(card_id).memory_state
            if state is not None:
                memory.append((state.stability, state.difficulty))
        return list(config["fsrsParams6"]), memory
    finally:
        col.close()


@pytest.fixture
def optimized_learner(learner: Learner) -> Learner:
    """Anki's preset has parameters of its own; the terminal has fitted others."""
    col = Collection(str(learner.collection))
    config = col.decks.config_dict_for_deck_id(deck_id_of(col, "Sync Basics"))  # type: ignore[arg-type]
    config["fsrsParams6"] = ANKI_PARAMETERS
    config["desiredRetention"] = 0.85
    col.decks.update_config(config)
    col.close()
    settings = replace(
        load_settings(learner.data),
        fsrs_parameters=TERMINAL_PARAMETERS,
        fsrs_parameters_optimized=OPTIMIZED_ON,
    )
    save_settings(learner.data, settings)
    return learner


def test_the_preset_gets_the_terminals_optimized_parameters_only_when_asked(
    optimized_learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    learner = optimized_learner
    _, memory_before = preset_and_memory(learner)

    dry = sync(capsys, learner, "--write-fsrs-parameters", "--dry-run")
    assert (
        "  Anki's preset 'Default' would get the terminal's FSRS parameters (optimized on "
        f"{OPTIMIZED_ON}); Anki would recompute its cards' memory states with them"
    ) in dry.splitlines()
    assert preset_and_memory(learner)[0] == pytest.approx(ANKI_PARAMETERS)

    out = sync(capsys, learner, "--write-fsrs-parameters")
    assert (
        f"  Anki's preset 'Default' got the terminal's FSRS parameters (optimized on "
        f"{OPTIMIZED_ON}); Anki recomputed its cards' memory states with them"
    ) in out.splitlines()
    parameters, memory_after = preset_and_memory(learner)
    assert parameters == pytest.approx(TERMINAL_PARAMETERS)
    assert memory_after and memory_after != memory_before
    settings = load_settings(learner.data)
    assert settings.fsrs_parameters == TERMINAL_PARAMETERS
    assert settings.fsrs_parameters_optimized == OPTIMIZED_ON
    assert settings.desired_retention == 0.85  # the preset's other choice still applies

    again = sync(capsys, learner)  # both sides have the same parameters now
    assert "FSRS parameters" not in again and "terminal scheduling" not in again
    assert load_settings(learner.data).fsrs_parameters_optimized == OPTIMIZED_ON


def test_without_the_option_the_terminal_takes_the_presets_parameters(
    optimized_learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    out = sync(capsys, optimized_learner)
    assert "terminal scheduling follow Anki's preset 'Default'" in out
    settings = load_settings(optimized_learner.data)
    assert settings.fsrs_parameters == pytest.approx(ANKI_PARAMETERS)
    assert settings.fsrs_parameters_optimized == ""  # no longer the ones fitted here
    assert preset_and_memory(optimized_learner)[0] == pytest.approx(ANKI_PARAMETERS)


def test_parameters_not_optimized_here_are_not_written(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    before = preset_and_memory(learner)[0]
    out = sync(capsys, learner, "--write-fsrs-parameters")
    assert (
        "  FSRS parameters not written to Anki: the terminal's are not optimized "
        "(`studyapp optimize` fits them)"
    ) in out.splitlines()
    assert preset_and_memory(learner)[0] == before
