"""One card's fields -> a validated `Card`: the values of its labels and their rules.

The structure walk (walker.py) finds where each field starts and ends; this module only
judges what is inside: required fields, one-value labels, ids, card types, Run/Expect,
Timeout and Service. It knows nothing of headings or of other cards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from markdown_it.token import Token

from deckgen.cardformat.card_types import has_cloze
from deckgen.cardformat.expect import parse_expect
from deckgen.cardformat.ids import derived_card_id, is_valid_explicit_id
from deckgen.cardformat.labels import LABEL_NAMES
from deckgen.cardformat.model import (
    DEFAULT_RUN_TIMEOUT,
    Card,
    CardError,
    CardKind,
    RunSpec,
    SourceLocation,
)

LINE_BREAKS = ("softbreak", "hardbreak")


@dataclass
class Field:
    """One `**Label:**` and what follows it, up to the next label or heading."""

    name: str
    label_text: str  # as written, e.g. "Front"
    line: int  # 0-based line of the label in its chunk
    first_line_rest: str  # text after the label on its own line
    tokens: list[Token] = field(default_factory=list)
    source: str = ""


@dataclass
class CardDraft:
    """A card as the walk found it: heading, deck settings and fields, not yet checked."""

    title: str
    line: int  # 0-based line of the heading in its chunk
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
    media_root: Path  # the folder the card's images and file links must stay inside


@dataclass(frozen=True)
class CardPlace:
    """Where a draft's chunk stands: its file, the file line of the chunk's first line, and
    the folder its media must stay inside."""

    path: Path
    offset: int  # 0-based line of the chunk in the file
    env: dict[str, object]
    media_root: Path

    def location(self, line0: int) -> SourceLocation:
        return SourceLocation(self.path, line0 + self.offset + 1)


class CardValidator:
    """Checks one draft's fields and turns them into a `Card`, collecting every problem."""

    def __init__(self, draft: CardDraft, place: CardPlace) -> None:
        self.draft = draft
        self.place = place
        self.errors: list[CardError] = []

    def fail(self, line0: int, message: str) -> None:
        self.errors.append(CardError(self.place.location(line0), message))

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

    def validate(self) -> ParsedCard | None:
        """The card, or None when anything is wrong (then `errors` says what)."""
        draft, fields = self.draft, self.draft.fields
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
        if self.errors or not draft.title:
            return None
        card = Card(
            id=card_id,
            deck=draft.deck,
            title=draft.title,
            front=self.text("front"),
            back=self.text("back"),
            location=self.place.location(draft.line),
            tags=tags,
            kind=kind,
            run=run,
        )
        return ParsedCard(
            card=card,
            field_tokens={name: f.tokens for name, f in fields.items()},
            env=self.place.env,
            line_offset=self.place.offset,
            media_root=self.place.media_root,
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
        is_cloze = has_cloze(self.text("front"))
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
        return RunSpec(command.strip("\n"), expect, timeout, service, self.place.location(run.line))

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


# --- values of fields ---------------------------------------------------------------------


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
