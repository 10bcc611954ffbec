"""The `needs-worker` tags of the course's cards agree with what their commands declare.

The pre-check trusts the tag; this test keeps it honest where the command says it: a card
running demo client commands carries the tag exactly when one of them is declared
`needs_worker` (demo_project/client/cli.py), and one asking the workers through
`celery inspect|call|status|result|control` carries it. Other commands (lessons, `python -c`)
have only the card author's word, which `studyapp verify` then exercises.
"""

from __future__ import annotations

import re
from pathlib import Path

from deckgen.cardformat.load import load
from demo_project.client.cli import COMMANDS
from studyapp.runner.preflight import NEEDS_WORKER_TAG

CARDS = Path(__file__).resolve().parents[2] / "cards"
CLIENT = re.compile(r"python\s+-m\s+demo_project\.client\s+([\w-]+)")
ASKS_WORKERS = re.compile(r"\bcelery\s+-A\s+\S+\s+(inspect|call|status|result|control)\b")


def declared_need(command: str) -> bool | None:
    """What the command itself declares; None when it declares nothing."""
    if ASKS_WORKERS.search(command):
        return True
    names = CLIENT.findall(command)
    return any(COMMANDS[name].needs_worker for name in names) if names else None


def test_needs_worker_tags_match_the_commands() -> None:
    parsed = load([CARDS])
    assert parsed.ok, parsed.errors
    checked = 0
    wrong = []
    for card in parsed.cards:
        tagged = NEEDS_WORKER_TAG in card.tags
        if card.run is None:
            assert not tagged, f"{card.location}: {card.id} has no command to need a worker"
            continue
        declared = declared_need(card.run.command)
        if declared is not None:
            checked += 1
            if tagged != declared:
                wrong.append(f"{card.location}: {card.id}: tagged {tagged}, declared {declared}")
    assert wrong == []
    # Most cards run lessons now (their need is the author's word, exercised by verify);
    # the client and `celery inspect` cards that declare it are still a good dozen.
    assert checked >= 10
