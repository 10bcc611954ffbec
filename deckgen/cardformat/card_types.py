"""What each card type (`**Type:**`) means: which cards a note gives and what each side asks.

Shared by deckgen (recognising a cloze card while parsing) and the study app (the cards it
schedules and the text it shows), so the two never disagree on a card type. Anki applies
the same rules to the notes deckgen builds: its "Basic (and reversed card)" model gives two
cards, its Cloze model hides each `{{cN::...}}` on the question side.
"""

from __future__ import annotations

import re
from dataclasses import replace

from deckgen.cardformat.model import Card, CardKind

REVERSE_SUFFIX = ":reverse"  # id of the Back -> Front card a `reversed` note adds

CLOZE_MARK = re.compile(r"\{\{c\d+::")  # a Front with one of these is a cloze card
CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::(.*?))?\}\}", re.DOTALL)  # answer, optional hint


def has_cloze(text: str) -> bool:
    return CLOZE_MARK.search(text) is not None


def study_cards(card: Card) -> list[Card]:
    """The cards one note gives: a `reversed` note also asks Back -> Front, as in Anki."""
    if card.kind is not CardKind.REVERSED:
        return [card]
    reverse = replace(card, id=card.id + REVERSE_SUFFIX, front=card.back, back=card.front)
    return [card, reverse]


def note_id(card_id: str) -> str:
    """The id of the note a study card came from (the card itself unless it is a reverse)."""
    return card_id.removesuffix(REVERSE_SUFFIX)


def question_markdown(card: Card) -> str:
    """The question side: cloze deletions hidden as `[...]` (or `[hint]`)."""
    if card.kind is CardKind.CLOZE:
        return CLOZE.sub(_hide_cloze, card.front)
    return card.front


def answer_markdown(card: Card) -> str:
    """The answer side: a cloze card's text filled in, then its extra (Back) text."""
    if card.kind is CardKind.CLOZE:
        filled = CLOZE.sub(lambda match: match.group(1), card.front)
        return f"{filled}\n\n{card.back}" if card.back.strip() else filled
    return card.back


def _hide_cloze(match: re.Match[str]) -> str:
    hint = match.group(2)
    return f"[{hint}]" if hint else "[...]"
