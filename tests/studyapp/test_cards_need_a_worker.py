"""The `needs-worker` tags of the course's cards agree with what their commands declare.

The pre-check trusts the tag; this test keeps the tags honest: a card running a demo client
command declared `needs_worker` (demo_project/client/cli.py), or asking the workers through
`celery inspect|call|status|result|control`, carries the tag, and no other card does.
"""

from __future__ import annotations

import re
from pathlib import Path

from deckgen.parser import parse_paths
from demo_project.client.cli import COMMANDS
from studyapp.runner.preflight import NEEDS_WORKER_TAG

CARDS = Path(__file__).resolve().parents[2] / "cards"
CLIENT = re.compile(r"python\s+-m\s+demo_project\.client\s+([\w-]+)")
ASKS_WORKERS = re.compile(r"\bcelery\s+-A\s+\S+\s+(inspect|call|status|result|control)\b")


def declared_need(command: str) -> bool:
    if ASKS_WORKERS.search(command):
        return True
    return any(COMMANDS[name].needs_worker for name in CLIENT.findall(command))


def test_needs_worker_tags_match_the_commands() -> None:
    parsed = parse_paths([CARDS])
    assert parsed.ok, parsed.errors
    wrong = [
        f"{card.location}: {card.id}"
        for card in parsed.cards
        if (NEEDS_WORKER_TAG in card.tags)
        != (card.run is not None and declared_need(card.run.command))
    ]
    assert wrong == []
    assert sum(NEEDS_WORKER_TAG in card.tags for card in parsed.cards) >= 30
