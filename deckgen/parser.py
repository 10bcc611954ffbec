"""Card files (Markdown) -> cards, from markdown-it-py's token stream.

Structure comes from top-level tokens and their line maps: `# Title` names the deck,
`## Title` starts a card, and a top-level paragraph line that starts with a bold
`**Label:**` starts a field. A field runs until the next label or heading. Each field
keeps both its Markdown source (for `Card`) and its tokens (so the renderer never parses
a card twice).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it.token import Token

from deckgen.ids import deck_name, derived_card_id, is_valid_explicit_id
from deckgen.labels import CARD_FIELDS, DECK_FIELDS, LABEL_NAMES
from deckgen.markdown import LABEL_TOKEN, markdown
from deckgen.model import (
    DEFAULT_RUN_TIMEOUT,
    Card,
    CardError,
    CardKind,
    ParseResult,
    RunSpec,
    SourceLocation,
)

CARD_NUMBER_PREFIX = re.compile(r"card\s+\d+\s*[:.)-]\s*", re.IGNORECASE)
HEADING_OR_FENCE_STARTS = frozenset("#`~ ")
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
    end_line: int = -1  # 0-based, exclusive; set when the next boundary is seen
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


# --- public API -------------------------------------------------------------------------


def parse_text(text: str, path: Path, deck_prefix: tuple[str, ...] = ()) -> ParseResult:
    """Parse one card file's text; `path` is only used for locations and the fallback deck."""
    document = parse_document(text, path, deck_prefix)
    document.errors.extend(duplicate_id_errors(p.card for p in document.parsed))
    return document.to_parse_result()


def parse_paths(paths: Sequence[Path]) -> ParseResult:
    """Parse files and folders (every `*.md` below a folder, sub-folders as parent decks)."""
    sources, errors = collect_sources(paths)
    result = ParseResult(errors=errors)
    for source in sources:
        document = parse_file(source.path, source.deck_prefix)
        result.cards.extend(p.card for p in document.parsed)
        result.errors.extend(document.errors)
    result.errors.extend(duplicate_id_errors(result.cards))
    return result


# --- sources ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    path: Path
    deck_prefix: tuple[str, ...] = ()


def collect_sources(paths: Sequence[Path]) -> tuple[list[Source], list[CardError]]:
    """Expand folders into their Markdown files; report missing paths and empty folders."""
    sources: list[Source] = []
    errors: list[CardError] = []
    for path in paths:
        if path.is_dir():
            found = markdown_files_below(path)
            if not found:
                errors.append(error(path, 1, "no Markdown (*.md) files in this folder"))
            for file in found:
                sources.append(Source(file, file.relative_to(path).parent.parts))
        elif path.is_file():
            sources.append(Source(path))
        else:
            errors.append(error(path, 1, "no such file or folder"))
    return sources, errors


def markdown_files_below(folder: Path) -> list[Path]:
    """Every `*.md` below `folder`, sorted, skipping hidden files and folders."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root) / f for f in sorted(files) if f.endswith(".md") and f[0] != ".")
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def read_card_file(path: Path) -> tuple[str | None, CardError | None]:
    """Read a card file as UTF-8 text; report unreadable, non-UTF-8 and empty files."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, error(path, 1, f"cannot read file: {exc.strerror or exc}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        return None, error(path, line, f"not valid UTF-8 (byte 0x{bad}); save the file as UTF-8")
    if not text.strip():
        return None, error(path, 1, "empty file: expected a '# Deck title' and '## Card' sections")
    return text, None


def parse_file(path: Path, deck_prefix: tuple[str, ...] = ()) -> DocumentResult:
    text, problem = read_card_file(path)
    if problem is not None or text is None:
        return DocumentResult(errors=[problem] if problem else [])
    return parse_document(text, path, deck_prefix)


def duplicate_id_errors(cards: Iterable[Card]) -> list[CardError]:
    first_seen: dict[str, Card] = {}
    errors: list[CardError] = []
    for card in cards:
        first = first_seen.setdefault(card.id, card)
        if first is not card:
            errors.append(
                CardError(
                    card.location,
                    f"duplicate id '{card.id}': the card at {first.location} has the same id "
                    "(give one of them an explicit **ID:**)",
                )
            )
    return errors


def error(path: Path, line: int, message: str) -> CardError:
    return CardError(SourceLocation(path, line), message)


# --- document walk ----------------------------------------------------------------------


def normalize_newlines(text: str) -> str:
    # markdown-it counts lines by "\n" after this same normalisation; keep them aligned.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")


def parse_document(text: str, path: Path, deck_prefix: tuple[str, ...] = ()) -> DocumentResult:
    """Parse a whole card file (see `plan_document` for how it is cut into cards)."""
    plan = plan_document(text, path, deck_prefix)
    for job in plan.jobs:
        plan.add(job.index, parse_chunk(job))
    return plan.finish()


@dataclass(frozen=True)
class DeckContext:
    """What a card inherits from its deck heading and the deck's options."""

    deck: str
    kind: CardKind | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChunkJob:
    """One card's text (from its `## ` line to the next heading), parsable on its own."""

    path: Path
    index: int  # position of the chunk in its file
    start: int  # 0-based line of the chunk in the file
    text: str
    context: DeckContext
    deck_prefix: tuple[str, ...] = ()


@dataclass
class DocumentPlan:
    """A file cut into chunks: deck chunks parsed already, card chunks still to parse."""

    path: Path
    jobs: list[ChunkJob] = field(default_factory=list)
    results: dict[int, DocumentResult] = field(default_factory=dict)
    errors: list[CardError] = field(default_factory=list)

    def add(self, index: int, result: DocumentResult) -> None:
        self.results[index] = result

    def finish(self) -> DocumentResult:
        merged = DocumentResult(errors=list(self.errors))
        for index in sorted(self.results):
            merged.parsed.extend(self.results[index].parsed)
            merged.errors.extend(self.results[index].errors)
        if not merged.parsed and not merged.errors:
            merged.errors.append(no_cards_error(self.path))
        return merged


def no_cards_error(path: Path) -> CardError:
    return error(path, 1, "no cards: a card starts with a '## Title' heading")


def plan_document(text: str, path: Path, deck_prefix: tuple[str, ...] = ()) -> DocumentPlan:
    """Cut a file at its top-level `# `/`## ` lines; parse the deck parts, queue the cards.

    Cutting lets each card be parsed, cached and rendered on its own (and in parallel).
    The cut points are only lines that markdown-it must read as a heading whatever
    precedes them (column 0, outside any fence); anything less certain stays in one
    chunk, which the token walk handles like a whole file.
    """
    plan = DocumentPlan(path)
    text = normalize_newlines(text.removeprefix("\ufeff"))
    if not text.strip():
        plan.errors.append(error(path, 1, "empty file"))
        return plan
    lines = text.split("\n")
    context = DeckContext(deck_name([*deck_prefix, path.stem]))
    starts = chunk_starts(lines)
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(lines)
        job = ChunkJob(path, index, start, "\n".join(lines[start:end]), context, deck_prefix)
        if lines[start].startswith("## ") or lines[start] == "##":
            plan.jobs.append(job)
        else:
            walker = parse_chunk_walker(job)
            plan.add(index, walker.result)
            context = walker.context()
    return plan


def chunk_starts(lines: list[str]) -> list[int]:
    """Line numbers where a chunk starts: 0 and every certain `# `/`## ` heading line."""
    starts = [0]
    fence: tuple[str, int] | None = None
    for number, line in enumerate(lines):
        if fence is None and line[:1] not in HEADING_OR_FENCE_STARTS:
            continue  # fast path: most lines cannot start a heading or a fence
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if fence is not None:
            char, length = fence
            closing = stripped.rstrip()
            if indent <= 3 and len(closing) >= length and closing == char * len(closing):
                fence = None
        elif indent <= 3 and stripped[:3] in ("```", "~~~"):
            char = stripped[0]
            length = len(stripped) - len(stripped.lstrip(char))
            if not (char == "`" and "`" in stripped[length:]):
                fence = (char, length)
        elif number and is_top_heading_line(line):
            starts.append(number)
    return starts


def is_top_heading_line(line: str) -> bool:
    for marker in ("# ", "## ", "#\t", "##\t"):
        if line.startswith(marker):
            return True
    return line.rstrip() in ("#", "##")


def parse_chunk(job: ChunkJob) -> DocumentResult:
    return parse_chunk_walker(job).result


def parse_chunk_walker(job: ChunkJob) -> DocumentWalker:
    env: dict[str, object] = {}
    tokens = markdown().parse(job.text, env)
    walker = DocumentWalker(job, job.text.split("\n"), env)
    walker.walk(tokens)
    return walker


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
        if first.type == "heading_open" and first.tag in ("h1", "h2"):
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
        current.end_line = boundary
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
        if deck_field.name == "type":
            kind = parse_kind(deck_field.source)
            if kind is None or kind is CardKind.CLOZE:
                self.fail(deck_field.line, "deck **Type:** must be 'basic' or 'reversed'")
            else:
                self.deck_kind = kind
        elif deck_field.name == "tags":
            self.deck_tags = parse_tags(deck_field.source)


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
        tags = tuple(dict.fromkeys([*draft.deck_tags, *parse_tags(self.text("tags"))]))
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
        card_id = explicit.source.strip().strip("`").strip()
        if not is_valid_explicit_id(card_id):
            self.fail(explicit.line, "**ID:** must be one word without spaces")
        return card_id

    def kind(self) -> CardKind:
        declared = self.draft.fields.get("type")
        kind = self.draft.deck_kind or CardKind.BASIC
        if declared is not None:
            parsed = parse_kind(declared.source)
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
        return text.strip("\n")

    def timeout(self) -> float:
        found = self.draft.fields.get("timeout")
        if found is None:
            return DEFAULT_RUN_TIMEOUT
        value = found.source.strip().strip("`").removesuffix("s").strip()
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
        value = found.source.strip().strip("`").casefold()
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


def parse_tags(text: str) -> tuple[str, ...]:
    words = text.replace(",", " ").replace("`", " ").split()
    return tuple(dict.fromkeys(w.lstrip("#") for w in words if w.lstrip("#")))


def parse_kind(text: str) -> CardKind | None:
    value = text.strip().strip("`").strip().casefold()
    try:
        return CardKind(value)
    except ValueError:
        return None
