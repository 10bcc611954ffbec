"""The structure walk: one chunk's top-level markdown-it tokens -> card drafts -> cards.

Structure comes from top-level tokens and their line maps: `# Title` names the deck,
`## Title` starts a card, and a `deckgen_label` token (a `**Label:**` line) starts a
field that runs until the next label or heading. Each field keeps both its Markdown
source (for `Card`) and its tokens (so the renderer never parses a card twice). What is
inside the fields is judged by fields.py, once a card's draft is complete.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from markdown_it.token import Token

from deckgen.cardformat.chunks import ChunkJob, DeckContext
from deckgen.cardformat.fields import (
    CardDraft,
    CardPlace,
    CardValidator,
    Field,
    ParsedCard,
    first_paragraph,
    parse_kind,
    parse_tags,
)
from deckgen.cardformat.files import error
from deckgen.cardformat.ids import deck_name
from deckgen.cardformat.labels import CARD_FIELDS, DECK_FIELDS, LABEL_NAMES
from deckgen.cardformat.markdown import LABEL_TOKEN, is_structure_heading
from deckgen.cardformat.model import CardError, CardKind

CARD_NUMBER_PREFIX = re.compile(r"card\s+\d+\s*[:.)-]\s*", re.IGNORECASE)


@dataclass
class DocumentResult:
    parsed: list[ParsedCard] = field(default_factory=list)
    errors: list[CardError] = field(default_factory=list)


class DocumentWalker:
    """Walks one chunk's top-level tokens, building card drafts and their fields."""

    def __init__(self, job: ChunkJob, lines: list[str], env: dict[str, object]) -> None:
        self.path = job.path
        self.offset = job.start  # chunk lines -> file lines
        self.media_root = job.media_root or job.path.parent
        self.deck_prefix = job.deck_prefix
        self.lines = lines
        self.env = env
        self.result = DocumentResult()
        self.deck = job.context.deck
        self.deck_kind: CardKind | None = job.context.kind
        self.deck_tags: tuple[str, ...] = job.context.tags
        self.deck_fields: dict[str, Field] = {}
        self.in_preamble = True  # before the first card of the current deck
        self.card: CardDraft | None = None
        self.current: Field | None = None

    def context(self) -> DeckContext:
        return DeckContext(self.deck, self.deck_kind, self.deck_tags)

    def file_line(self, line0: int) -> int:
        """1-based line in the file for a 0-based line of this chunk."""
        return line0 + self.offset + 1

    def fail(self, line0: int, message: str) -> None:
        self.result.errors.append(error(self.path, self.file_line(line0), message))

    def walk(self, tokens: list[Token]) -> DocumentResult:
        self.check_fences(tokens)
        for start, end in top_level_blocks(tokens):
            self.visit(tokens[start:end])
        self.close_card(len(self.lines))
        return self.result

    def check_fences(self, tokens: list[Token]) -> None:
        """markdown-it closes an unterminated fence at the end of its container; we refuse."""
        for token in tokens:
            if token.type == "fence" and token.map and not self.fence_is_closed(token):
                self.fail(token.map[0], f"code fence {token.markup} is never closed")

    def fence_is_closed(self, token: Token) -> bool:
        start, end = token.map or (0, 0)
        if end - start < 2:
            return False
        closing = self.lines[end - 1].lstrip(" \t>").lstrip("-*+0123456789.) \t").rstrip()
        marker = token.markup[0]
        return len(closing) >= len(token.markup) and set(closing) == {marker}

    def visit(self, block: list[Token]) -> None:
        first = block[0]
        line0 = first.map[0] if first.map else 0
        if is_structure_heading(first):
            title = block[1].content.strip() if len(block) > 1 else ""
            if first.tag == "h1":
                self.start_deck(title, line0)
            else:
                self.start_card(title, line0)
            return
        if first.type == LABEL_TOKEN:
            self.start_field(first.info, line0, first.markup)
            return
        self.add_content(block, line0)

    # --- decks and cards ---

    def start_deck(self, title: str, line0: int) -> None:
        self.close_card(line0)
        if self.lines[line0][:1] != "#":
            # Files are cut at column-0 headings; an indented one would leave later
            # cards in the old deck.
            self.fail(line0, "write the deck heading '# Title' at the start of its line")
        if not title:
            self.fail(line0, "deck heading '#' has no title")
            title = self.path.stem
        self.deck = deck_name([*self.deck_prefix, title])
        self.deck_kind = None
        self.deck_tags = ()
        self.deck_fields = {}
        self.in_preamble = True

    def start_card(self, heading: str, line0: int) -> None:
        self.close_card(line0)
        self.in_preamble = False
        title = CARD_NUMBER_PREFIX.sub("", heading, count=1).strip()
        if not title:
            self.fail(line0, "card heading has no title")
        self.card = CardDraft(title, line0, self.deck, self.deck_kind, self.deck_tags)

    def close_card(self, boundary: int) -> None:
        self.end_field(boundary)
        if self.card is not None:
            place = CardPlace(self.path, self.offset, self.env, self.media_root)
            validator = CardValidator(self.card, place)
            built = validator.validate()
            self.result.errors.extend(validator.errors)
            if built is not None:
                self.result.parsed.append(built)
        self.card = None

    # --- fields ---

    def end_field(self, boundary: int) -> None:
        current = self.current
        if current is None:
            return
        body = [current.first_line_rest, *self.lines[current.line + 1 : boundary]]
        current.source = "\n".join(body).strip("\n").rstrip()
        self.current = None
        if self.in_preamble and self.card is None:
            self.apply_deck_field(current)

    def start_field(self, label_text: str, line0: int, markup: str) -> None:
        self.end_field(line0)
        errors_before = len(self.result.errors)
        name = label_text.strip().casefold()
        allowed = CARD_FIELDS if self.card is not None else DECK_FIELDS
        if name not in CARD_FIELDS:
            known = ", ".join(f"**{f}:**" for f in LABEL_NAMES.values())
            self.fail(line0, f"unknown label **{label_text}:** (known labels: {known})")
        elif name not in allowed:
            self.fail(line0, f"label **{label_text}:** must be inside a card ('## Title')")
        elif self.card is not None and name in self.card.fields:
            first = self.file_line(self.card.fields[name].line)
            self.fail(
                line0, f"label **{label_text}:** given twice in one card (first on line {first})"
            )
        elif self.card is None and name in self.deck_fields:
            first = self.file_line(self.deck_fields[name].line)
            self.fail(line0, f"deck label **{label_text}:** given twice (first on line {first})")
        raw = self.lines[line0].lstrip()
        prefix = f"{markup}{label_text}:{markup}"
        rest = raw[len(prefix) :] if raw.startswith(prefix) else raw.partition(prefix)[2]
        new = Field(name, label_text, line0, rest.strip())
        if len(self.result.errors) > errors_before:
            # Still ends the previous field; its own content is ignored (already reported).
            new.name = ""
        elif self.card is not None:
            self.card.fields[name] = new
        else:
            self.deck_fields[name] = new
        self.current = new

    def add_content(self, block: list[Token], line0: int) -> None:
        if self.current is not None:
            self.current.tokens.extend(block)
        elif self.card is not None:
            self.fail(line0, "text before the card's first label (start with **Front:**)")
        # Anything else before the first card is the deck's description: not part of a card.

    def apply_deck_field(self, deck_field: Field) -> None:
        # The option's value is on its line (or the paragraph below); the rest describes
        # the deck and is not part of any card.
        value = deck_field.first_line_rest or first_paragraph(deck_field.tokens)
        if deck_field.name == "type":
            kind = parse_kind(value)
            if kind is None or kind is CardKind.CLOZE:
                self.fail(deck_field.line, "deck **Type:** must be 'basic' or 'reversed'")
            else:
                self.deck_kind = kind
        elif deck_field.name == "tags":
            self.deck_tags = parse_tags(value)


def top_level_blocks(tokens: list[Token]) -> Iterable[tuple[int, int]]:
    """(start, end) index ranges of each level-0 block (an open..close pair or a leaf)."""
    start = 0
    depth = 0
    for index, token in enumerate(tokens):
        depth += token.nesting
        if depth == 0:
            yield start, index + 1
            start = index + 1
