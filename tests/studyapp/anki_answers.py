"""Answer cards with Anki's own scheduler at chosen moments; run under Debian's faketime.

Usage: python anki_answers.py SPEC.json RESULT.json WORK_DIR

Anki's Rust backend reads the system clock (for "today", elapsed days and learning due
times), so the caller runs this script with libfaketime preloaded and
FAKETIME_TIMESTAMP_FILE pointing at a file this script rewrites before each answer (with
FAKETIME_NO_CACHE=1 every clock read sees the new time). Each sequence gets its own
collection, created at its first moment; every answer reopens it, as a learner's next
session would, answers through `col.sched.answerCard` and records what Anki stored.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from anki.collection import Collection


def set_clock(moment: str) -> None:
    Path(os.environ["FAKETIME_TIMESTAMP_FILE"]).write_text(f"@{moment}\n")


def prepare(path: Path, settings: dict[str, Any], cards: int) -> list[int]:
    col = Collection(str(path))
    try:
        col.set_config("fsrs", True)
        preferences = col.get_preferences()
        preferences.scheduling.rollover = settings["day_start_hour"]
        col.set_preferences(preferences)
        deck_id = col.decks.id("Parity")
        assert deck_id is not None
        config = col.decks.config_dict_for_deck_id(deck_id)
        config["new"]["delays"] = [float(step) for step in settings["learning_steps_minutes"]]
        config["lapse"]["delays"] = [float(step) for step in settings["relearning_steps_minutes"]]
        config["lapse"]["leechFails"] = settings["leech_lapses"]
        config["rev"]["maxIvl"] = settings["maximum_interval_days"]
        config["desiredRetention"] = settings["desired_retention"]
        config["fsrsParams6"] = list(settings["fsrs_parameters"])
        col.decks.update_config(config)
        notetype = col.models.by_name("Basic")
        assert notetype is not None
        card_ids = []
        for number in range(cards):
            note = col.new_note(notetype)
            note["Front"], note["Back"] = f"question {number}", f"answer {number}"
            col.add_note(note, deck_id)
            card_ids.append(note.cards()[0].id)
        return card_ids
    finally:
        col.close()


def answer(path: Path, card_id: int, rating: int) -> dict[str, Any]:
    col = Collection(str(path))
    try:
        card = col.get_card(card_id)  # type: ignore[arg-type]
        card.start_timer()
        col.sched.answerCard(card, rating)  # type: ignore[arg-type]
        card = col.get_card(card_id)  # type: ignore[arg-type]
        memory = card.memory_state
        return {
            "type": int(card.type),
            "queue": int(card.queue),
            "ivl": card.ivl,
            "due": card.due,
            "left": card.left,
            "stability": memory.stability if memory else None,
            "difficulty": memory.difficulty if memory else None,
            "today": col.sched.today,
        }
    finally:
        col.close()


def main(spec_path: str, result_path: str, work_dir: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    results: dict[str, list[dict[str, Any]]] = {}
    for sequence in spec["sequences"]:
        path = Path(work_dir) / f"{sequence['name']}.anki2"
        answers = sequence["answers"]
        set_clock(answers[0][0])  # the collection is created on the first day
        card_ids = prepare(path, sequence["settings"], sequence.get("cards", 1))
        rows = []
        for moment, rating, *card in answers:
            set_clock(moment)
            rows.append(answer(path, card_ids[card[0] if card else 0], rating))
        results[sequence["name"]] = rows
    Path(result_path).write_text(json.dumps(results))


if __name__ == "__main__":
    main(*sys.argv[1:4])
