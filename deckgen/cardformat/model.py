"""The card model shared by deckgen and the study app.

Plain data, no I/O: the parser produces these, the Anki builder and the study app
consume them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

DECK_SEPARATOR = "::"
DEFAULT_RUN_TIMEOUT = 60.0


class CardKind(StrEnum):
    BASIC = "basic"
    REVERSED = "reversed"  # basic plus a reversed card (Back -> Front)
    CLOZE = "cloze"


@dataclass(frozen=True, order=True)
class SourceLocation:
    path: Path
    line: int  # 1-based

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class CardError:
    """One problem in a card file, reported as `path:line: message`."""

    location: SourceLocation
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(frozen=True)
class RunSpec:
    """A card's command for the demo project (`**Run:**`) and what it must show."""

    command: str  # exactly as written; one line or a multi-line script
    expect: str | None = None  # `**Expect:**` text, checked against the output
    timeout: float = DEFAULT_RUN_TIMEOUT  # seconds, for one-shot commands
    service: bool = False  # keeps running (worker, beat, Flower, the stack)
    location: SourceLocation | None = None  # where `**Run:**` stands


@dataclass(frozen=True)
class Card:
    id: str  # stable: `**ID:**`, else derived from deck and title
    deck: str  # full deck name, parents joined by "::"
    title: str
    front: str  # Markdown source of the Front field
    back: str  # Markdown source of the Back field
    location: SourceLocation  # the card's heading
    tags: tuple[str, ...] = ()
    kind: CardKind = CardKind.BASIC
    run: RunSpec | None = None

    @property
    def deck_path(self) -> tuple[str, ...]:
        return tuple(self.deck.split(DECK_SEPARATOR))


@dataclass
class ParseResult:
    cards: list[Card] = field(default_factory=list)
    errors: list[CardError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors
