"""Turn a card's Markdown fields into what each side of the review shows.

Cloze deletions (`{{c1::answer}}` or `{{c1::answer::hint}}`) are hidden on the front
and filled in on the back; other kinds show their fields as written.
"""

from __future__ import annotations

import re

from deckgen.model import Card, CardKind

CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::(.*?))?\}\}", re.DOTALL)


def _hide_cloze(match: re.Match[str]) -> str:
    hint = match.group(2)
    return f"[{hint}]" if hint else "[...]"


def front_markdown(card: Card) -> str:
    if card.kind is CardKind.CLOZE:
        return CLOZE.sub(_hide_cloze, card.front)
    return card.front


def back_markdown(card: Card) -> str:
    if card.kind is CardKind.CLOZE:
        filled = CLOZE.sub(lambda match: match.group(1), card.front)
        return f"{filled}\n\n{card.back}" if card.back.strip() else filled
    return card.back
