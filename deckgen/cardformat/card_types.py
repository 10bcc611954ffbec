"""What each card type (`**Type:**`) means: which cards a note gives and what each side asks.

Shared by deckgen (recognising a cloze card while parsing) and the study app (the cards it
schedules and the text it shows), so the two never disagree on a card type. Anki applies
the same rules to the notes deckgen builds: its "Basic (and reversed card)" model gives two
cards, its Cloze model one card per cloze number, card N hiding the `{{cN::...}}`
deletions and showing the others' text.
"""

from __future__ import annotations

import re
from dataclasses import replace

from deckgen.cardformat.model import Card, CardKind

REVERSE_SUFFIX = ":reverse"  # id of the Back -> Front card a `reversed` note adds
CLOZE_SUFFIX = ":c"  # id of a cloze note's card N >= 2 is `<id>:cN`; card 1 keeps `<id>`

CLOZE_MARK = re.compile(r"\{\{c\d+::")  # a Front with one of these is a cloze card
CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)  # number, answer, hint
CLOZE_CARD = re.compile(r":c(\d+)$")  # the suffix of a cloze note's card N >= 2


def has_cloze(text: str) -> bool:
    return CLOZE_MARK.search(text) is not None


def study_cards(card: Card) -> list[Card]:
    """The cards one note gives, as in Anki: a `reversed` note also asks Back -> Front, a
    cloze note asks each cloze number apart."""
    if card.kind is CardKind.CLOZE:
        return [replace(card, id=cloze_card_id(card.id, n)) for n in cloze_numbers(card.front)]
    if card.kind is not CardKind.REVERSED:
        return [card]
    reverse = replace(card, id=card.id + REVERSE_SUFFIX, front=card.back, back=card.front)
    return [card, reverse]


def cloze_numbers(text: str) -> list[int]:
    return sorted({int(match.group(1)) for match in CLOZE.finditer(text)})


def cloze_card_id(note: str, number: int) -> str:
    return note if number == 1 else f"{note}{CLOZE_SUFFIX}{number}"


def cloze_number(card_id: str) -> int:
    """Which cloze number a cloze note's card asks (1 for the note's own id)."""
    found = CLOZE_CARD.search(card_id)
    return int(found.group(1)) if found else 1


def note_id(card_id: str) -> str:
    """The id of the note a study card came from (the card itself unless it is a reverse
    or a cloze note's card N >= 2)."""
    return CLOZE_CARD.sub("", card_id.removesuffix(REVERSE_SUFFIX))


def question_markdown(card: Card) -> str:
    """The question side: the card's cloze deletions hidden as `[...]` (or `[hint]`), the
    other numbers' shown as text."""
    if card.kind is CardKind.CLOZE:
        asked = cloze_number(card.id)
        return CLOZE.sub(lambda match: _hide_cloze(match, asked), card.front)
    return card.front


def answer_markdown(card: Card) -> str:
    """The answer side: a cloze card's text filled in, then its extra (Back) text."""
    if card.kind is CardKind.CLOZE:
        filled = CLOZE.sub(lambda match: match.group(2), card.front)
        return f"{filled}\n\n{card.back}" if card.back.strip() else filled
    return card.back


def _hide_cloze(match: re.Match[str], asked: int) -> str:
    if int(match.group(1)) != asked:
        return match.group(2)
    hint = match.group(3)
    return f"[{hint}]" if hint else "[...]"
