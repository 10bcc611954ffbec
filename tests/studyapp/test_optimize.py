"""`studyapp optimize`: fits FSRS to the review log with fsrs-rs (Anki's optimizer).

A history drawn from known parameters is fitted back: the fit predicts the answers as well
as the true parameters do (log loss within 0.2 %) and clearly better than the defaults, and
the stabilities it gives along typical answer paths are within 25 % of the true ones, closer
than the defaults'. Too short a history is refused and changes nothing. The command saves
what it fits, with the date; the settings screen shows it; memory states follow.
"""

from __future__ import annotations

import math
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, MemoryState
from test_tui_support import TERMINAL

from studyapp.clock import ManualClock
from studyapp.fsrs_sample import TRUE_PARAMETERS, history
from studyapp.optimize import (
    MINIMUM_ITEMS,
    NotEnoughHistory,
    answers_of,
    evaluate,
    fit,
    training_set,
)
from studyapp.records import CardState, Phase, RevlogEntry
from studyapp.scheduler import Scheduler
from studyapp.settings import RETENTION_RANGE, Settings, load_settings, settings_path
from studyapp.store import Store
from studyapp.study import Study
from studyapp.tui.app import StudyApp
from studyapp.tui.screens.settings import SettingsScreen

STUDYAPP = Path(sys.executable).parent / "studyapp"
PATHS = ([3, 3], [3, 3, (3, 4)], [3, 3, (3, 4), (3, 10), (3, 30)], [1, 3, (3, 1)],
         [3, 3, (3, 4), (1, 10), 3])  # fmt: skip


def stability_after(parameters: tuple[float, ...], answers: list[int | tuple[int, int]]) -> float:
    """Stability after answers: a rating (same day as the one before) or (rating, days)."""
    model = FSRS(list(parameters))
    memory: MemoryState | None = None
    for answer in answers:
        rating, days = answer if isinstance(answer, tuple) else (answer, 0)
        states = model.next_states(memory, 0.9, days)
        memory = (states.again, states.hard, states.good, states.easy)[rating - 1].memory
    assert memory is not None
    return memory.stability


def next_day_start(log: list[RevlogEntry]) -> datetime:
    """The start of the study day after the last answer (4 am UTC)."""
    return Scheduler(Settings()).next_day_start(log[-1].reviewed_at)


def test_a_history_from_known_parameters_is_fitted_back() -> None:
    log = history(cards=1000, reviews_per_card=8)
    training = training_set(answers_of(log), next_day_start(log))
    result = fit(training, Settings())

    true_loss = evaluate(TRUE_PARAMETERS, training.items).log_loss
    assert result.fitted_evaluation.log_loss <= true_loss * 1.002
    assert result.current_evaluation.log_loss > true_loss * 1.005, "defaults fit worse"
    assert result.improved and result.fitted_evaluation.rmse_bins < 0.03
    misses_fitted = misses_default = 0.0
    for path in PATHS:
        truth = stability_after(TRUE_PARAMETERS, path)
        fitted = stability_after(result.fitted, path)
        assert abs(fitted / truth - 1) < 0.25, (path, fitted, truth)
        misses_fitted += abs(math.log(fitted / truth))
        misses_default += abs(math.log(stability_after(tuple(DEFAULT_PARAMETERS), path) / truth))
    assert misses_fitted < misses_default / 2
    assert (result.reviews, result.cards) == (len(log), 1000)


def test_too_short_a_history_is_refused_with_how_much_more_is_needed() -> None:
    log = history(cards=40, reviews_per_card=3)
    training = training_set(answers_of(log), next_day_start(log))
    with pytest.raises(NotEnoughHistory) as refused:
        fit(training, Settings())
    assert refused.value.items == len(training.items) == 120
    assert f"at least {MINIMUM_ITEMS} are needed, {MINIMUM_ITEMS - 120} more" in str(refused.value)


def write_history(data_dir: Path, log: list[RevlogEntry]) -> dict[str, CardState]:
    """The log, and each card as a review card last reviewed at its last answer."""
    store = Store.open(data_dir)
    last = {entry.card_id: entry.reviewed_at for entry in log}
    states = {
        card_id: CardState(card_id, Phase.REVIEW, None, 5.0, 5.0, when + timedelta(days=3), when,
                           reps=9, first_review=None)
        for card_id, when in last.items()
    }  # fmt: skip
    store.bulk_insert_revlog(log)
    store.save_states(states.values())
    store.close()
    return states


def studyapp(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(STUDYAPP), *map(str, args)], capture_output=True, text=True, timeout=120
    )


def test_the_command_refuses_a_short_history_and_changes_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    write_history(data_dir, history(cards=40, reviews_per_card=3))
    load_settings(data_dir)  # the settings file as a learner has it
    before = settings_path(data_dir).read_bytes()

    result = studyapp("optimize", "--data-dir", data_dir)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"studyapp optimize: 120 reviews can train FSRS (a card's answers on a later day than "
        f"the one before, from its learning steps on); at least {MINIMUM_ITEMS} are needed, "
        f"{MINIMUM_ITEMS - 120} more. Parameters unchanged."
    )
    assert settings_path(data_dir).read_bytes() == before


async def test_the_command_saves_the_fit_and_the_settings_screen_shows_it(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    stored = write_history(data_dir, history(cards=600, reviews_per_card=6))

    dry = studyapp("optimize", "--dry-run", "--data-dir", data_dir)
    assert dry.returncode == 0, dry.stderr
    assert "Would save these parameters (--dry-run, nothing changed)" in dry.stdout
    assert load_settings(data_dir).fsrs_parameters == ()

    result = studyapp("optimize", "--data-dir", data_dir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].startswith("Review count: ")
    assert lines[3].startswith("parameters in use: default ")
    assert lines[4].startswith("optimized now ")
    saved = load_settings(data_dir)
    assert len(saved.fsrs_parameters) == 21
    assert saved.fsrs_parameters_optimized  # today's date
    assert f"as FSRS parameters optimized on {saved.fsrs_parameters_optimized}" in result.stdout
    assert "Memory states of 600 cards recomputed with them; due dates unchanged." in lines

    store = Store.open(data_dir)
    after = store.load_states()
    store.close()
    for card_id, state in stored.items():
        assert after[card_id].due == state.due
        assert after[card_id].stability != state.stability

    retention = studyapp("optimize", "--retention", "--data-dir", data_dir)
    assert retention.returncode == 0, retention.stderr
    recommended = float(retention.stdout.split("Recommended desired retention: ")[1][:4])
    assert RETENTION_RANGE[0] <= recommended <= RETENTION_RANGE[1]
    assert "simulated for 600 cards with FSRS parameters optimized on" in retention.stdout

    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "deck.md").write_text("# Celery\n\n## Card 1: A\n**Front:** Q?\n**Back:** A.\n")
    study = Study.open([cards], data_dir, ManualClock(stored["card-0"].due))  # type: ignore[arg-type]
    try:
        app = StudyApp(study)
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("comma")
            assert isinstance(app.screen, SettingsScreen)
            shown = str(app.screen.query_one("#fsrs-parameters").content)  # type: ignore[attr-defined]
            assert shown == (
                f"FSRS parameters: optimized on {saved.fsrs_parameters_optimized} "
                "(studyapp optimize)"
            )
    finally:
        study.close()
