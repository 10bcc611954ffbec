"""Helpers for the study-core tests: writing card files in the card format."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from studyapp.study import Study

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday noon, well inside a study day


@dataclass(frozen=True)
class CardSpec:
    title: str
    card_id: str | None = None
    front: str | None = None
    number: int | None = None
    tags: str | None = None
    kind: str | None = None


def deck_markdown(deck: str, cards: Sequence[CardSpec]) -> str:
    lines = [f"# {deck}", ""]
    for index, card in enumerate(cards, start=1):
        number = card.number if card.number is not None else index
        lines.append(f"## Card {number}: {card.title}")
        if card.card_id:
            lines.append(f"**ID:** {card.card_id}")
        lines.append(f"**Front:** {card.front or 'Question about ' + card.title + '?'}")
        lines.append(f"**Back:** Answer about {card.title}.")
        if card.tags:
            lines.append(f"**Tags:** {card.tags}")
        if card.kind:
            lines.append(f"**Type:** {card.kind}")
        lines.append("")
    return "\n".join(lines)


def write_deck(path: Path, deck: str, cards: Sequence[CardSpec]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(deck_markdown(deck, cards), encoding="utf-8")
    return path


def titled(count: int, prefix: str = "Topic") -> list[CardSpec]:
    return [
        CardSpec(f"{prefix} {index}", card_id=f"{prefix.lower()}-{index}") for index in range(count)
    ]


OpenStudy = Callable[..., Study]
