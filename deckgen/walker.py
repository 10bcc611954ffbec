"""The token walk: one chunk's top-level markdown-it tokens -> validated cards.

Structure comes from top-level tokens and their line maps: `# Title` names the deck,
`## Title` starts a card, and a `deckgen_label` token (a `**Label:**` line) starts a
field that runs until the next label or heading. Each field keeps both its Markdown
source (for `Card`) and its tokens (so the renderer never parses a card twice).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from markdown_it.token import Token

from deckgen.chunks import ChunkJob, DeckContext
from deckgen.expect import parse_expect
from deckgen.ids import deck_name, derived_card_id, is_valid_explicit_id
from deckgen.labels import CARD_FIELDS, DECK_FIELDS, LABEL_NAMES
from deckgen.markdown import LABEL_TOKEN, is_structure_heading
from deckgen.model import (
    DEFAULT_RUN_TIMEOUT,
    Card,
    CardError,
    CardKind,
    ParseResult,
    RunSpec,
    SourceLocation,
)
from deckgen.sources import error

CARD_NUMBER_PREFIX = re.compile(r"card\s+\d+\s*[:.)-]\s*", re.IGNORECASE)
CLOZE_MARK = re.compile(r"\{\{c\d+::")
LINE_BREAKS = ("softbreak", "hardbreak")


@dataclass
class Field:
    """One `**Label:**` and what follows it, up to the next label or heading."""

    name: str
    label_text: str  # as written, e.g. "Front"
    line: int  # 0-based line of the label
    first_line_rest: str  # text after the label on its own line
    tokens: list[Token] = field(default_factory=list)
    source: str = ""


@dataclass
class CardDraft:
    title: str
    line: int  # 0-based line of the heading
    deck: str
    deck_kind: CardKind | None
    deck_tags: tuple[str, ...]
    fields: dict[str, Field] = field(default_factory=dict)


@dataclass
class ParsedCard:
    """A card plus the tokens of its fields, for rendering without a second parse."""

    card: Card
    field_tokens: dict[str, list[Token]]
    env: dict[str, object]  # markdown-it env of the card's chunk (link references)
    line_offset: int  # token line maps count from the chunk's first line


@dataclass
class DocumentResult:
    parsed: list[ParsedCard] = field(default_factory=list)
    errors: list[CardError] = field(default_factory=list)

    def to_parse_result(self) -> ParseResult:
        return ParseResult(cards=[p.card for p in self.parsed], errors=list(self.errors))


class DocumentWalker:
    """Walks one chunk's top-level tokens, building card drafts and their fields."""

    def __init__(self, job: ChunkJob, lines: list[str], env: dict[str, object]) -> None:
        self.path = job.path
        self.offset = job.start  # chunk lines -> file lines
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
            built = CardBuilder(self, self.card).build()
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


class CardBuilder:
    """Validates one card draft's fields and turns them into a `Card`."""

    def __init__(self, walker: DocumentWalker, draft: CardDraft) -> None:
        self.walker = walker
        self.draft = draft
        self.ok = True

    def fail(self, line0: int, message: str) -> None:
        self.ok = False
        self.walker.fail(line0, message)

    def text(self, name: str) -> str:
        found = self.draft.fields.get(name)
        return found.source if found else ""

    def value(self, found: Field) -> str:
        """A one-value label (`**ID:**`, `**Tags:**`, ...): exactly one paragraph."""
        if not found.tokens:
            return ""
        text = single_paragraph(found.tokens)
        if text is None:
            self.fail(found.line, f"**{found.label_text}:** takes one value, not several blocks")
            return ""
        return text

    def build(self) -> ParsedCard | None:
        draft, fields = self.draft, self.draft.fields
        before = len(self.walker.result.errors)
        for required in ("front", "back"):
            if required not in fields:
                self.fail(draft.line, f"card '{draft.title}' has no **{LABEL_NAMES[required]}:**")
            elif not fields[required].source:
                self.fail(fields[required].line, f"empty **{LABEL_NAMES[required]}:**")
        card_id = self.card_id()
        kind = self.kind()
        run = self.run_spec()
        own_tags = parse_tags(self.value(fields["tags"])) if "tags" in fields else ()
        tags = tuple(dict.fromkeys([*draft.deck_tags, *own_tags]))
        if not self.ok or len(self.walker.result.errors) > before or not draft.title:
            return None
        path = self.walker.path
        card = Card(
            id=card_id,
            deck=draft.deck,
            title=draft.title,
            front=self.text("front"),
            back=self.text("back"),
            location=SourceLocation(path, self.walker.file_line(draft.line)),
            tags=tags,
            kind=kind,
            run=run,
        )
        return ParsedCard(
            card=card,
            field_tokens={name: f.tokens for name, f in fields.items()},
            env=self.walker.env,
            line_offset=self.walker.offset,
        )

    def card_id(self) -> str:
        explicit = self.draft.fields.get("id")
        if explicit is None:
            derived = derived_card_id(self.draft.deck, self.draft.title)
            if not derived and self.draft.title:
                self.fail(self.draft.line, "title has no letters or digits: add an **ID:**")
            return derived
        card_id = self.value(explicit).strip().strip("`").strip()
        if not is_valid_explicit_id(card_id):
            self.fail(explicit.line, "**ID:** must be one word without spaces")
        return card_id

    def kind(self) -> CardKind:
        declared = self.draft.fields.get("type")
        kind = self.draft.deck_kind or CardKind.BASIC
        if declared is not None:
            parsed = parse_kind(self.value(declared))
            if parsed is None:
                self.fail(declared.line, "**Type:** must be 'basic', 'reversed' or 'cloze'")
            else:
                kind = parsed
        is_cloze = bool(CLOZE_MARK.search(self.text("front")))
        if is_cloze:
            if declared is not None and kind is not CardKind.CLOZE:
                self.fail(declared.line, "a cloze card ({{c1::...}} in Front) cannot be " + kind)
            return CardKind.CLOZE
        if kind is CardKind.CLOZE:
            line = declared.line if declared else self.draft.line
            self.fail(line, "**Type:** cloze needs {{c1::...}} in the Front")
        return kind

    def run_spec(self) -> RunSpec | None:
        fields = self.draft.fields
        run = fields.get("run")
        if run is None:
            for name in ("expect", "timeout", "service"):
                if name in fields:
                    self.fail(fields[name].line, f"**{fields[name].label_text}:** needs a **Run:**")
            return None
        command = code_content(run.tokens)
        if command is None or not command.strip():
            self.fail(run.line, "**Run:** must be inline code or a fenced code block")
            return None
        expect = self.expect_text()
        timeout = self.timeout()
        service = self.service()
        location = SourceLocation(self.walker.path, self.walker.file_line(run.line))
        return RunSpec(command.strip("\n"), expect, timeout, service, location)

    def expect_text(self) -> str | None:
        found = self.draft.fields.get("expect")
        if found is None:
            return None
        text = code_content(found.tokens)
        if text is None:
            text = found.source
        if not text.strip():
            self.fail(found.line, "empty **Expect:**")
            return None
        for line in parse_expect(text):
            if line.error is not None:
                self.fail(
                    found.line,
                    f"**Expect:** line {line.number} is not a valid regular expression: "
                    f"{line.error}",
                )
        return text.strip("\n")

    def timeout(self) -> float:
        found = self.draft.fields.get("timeout")
        if found is None:
            return DEFAULT_RUN_TIMEOUT
        value = self.value(found).strip().strip("`").removesuffix("s").strip()
        try:
            seconds = float(value)
        except ValueError:
            seconds = -1.0
        if not 0 < seconds < float("inf"):
            self.fail(
                found.line, f"**Timeout:** must be a positive number of seconds, not {value!r}"
            )
            return DEFAULT_RUN_TIMEOUT
        return seconds

    def service(self) -> bool:
        found = self.draft.fields.get("service")
        if found is None:
            return False
        value = self.value(found).strip().strip("`").casefold()
        if value in ("yes", "true"):
            return True
        if value not in ("no", "false"):
            self.fail(found.line, f"**Service:** must be 'yes' or 'no', not {value!r}")
        return False


# --- token helpers ----------------------------------------------------------------------


def top_level_blocks(tokens: list[Token]) -> Iterable[tuple[int, int]]:
    """(start, end) index ranges of each level-0 block (an open..close pair or a leaf)."""
    start = 0
    depth = 0
    for index, token in enumerate(tokens):
        depth += token.nesting
        if depth == 0:
            yield start, index + 1
            start = index + 1


def is_blank_inline(token: Token) -> bool:
    return token.type in LINE_BREAKS or (token.type == "text" and not token.content.strip())


def code_content(tokens: list[Token]) -> str | None:
    """The code of a field that is exactly one fence or one inline code span."""
    if len(tokens) == 1 and tokens[0].type in ("fence", "code_block"):
        return tokens[0].content
    if len(tokens) == 3 and tokens[1].type == "inline":
        spans = [c for c in tokens[1].children or [] if not is_blank_inline(c)]
        if len(spans) == 1 and spans[0].type == "code_inline":
            return spans[0].content
    return None


def single_paragraph(tokens: list[Token]) -> str | None:
    if len(tokens) == 3 and tokens[0].type == "paragraph_open":
        return tokens[1].content
    return None


def first_paragraph(tokens: list[Token]) -> str:
    if len(tokens) >= 3 and tokens[0].type == "paragraph_open":
        return tokens[1].content
    return ""


def parse_tags(text: str) -> tuple[str, ...]:
    words = text.replace(",", " ").replace("`", " ").split()
    return tuple(dict.fromkeys(w.lstrip("#") for w in words if w.lstrip("#")))


def parse_kind(text: str) -> CardKind | None:
    value = text.strip().strip("`").strip().casefold()
    try:
        return CardKind(value)
    except ValueError:
        return None
