"""Card files (Markdown) -> cards: the parser API used by deckgen and the study app.

`parse_paths`/`parse_text` return plain `Card`s (see model.py). Internally a file is cut
into per-card chunks (chunks.py), each parsed with markdown-it-py and walked token by
token (walker.py), each card's fields checked by fields.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from deckgen.chunks import (
    ChunkJob,
    DeckContext,
    chunk_starts,
    normalize_newlines,
)
from deckgen.fields import ParsedCard
from deckgen.gc_pause import collector_paused
from deckgen.ids import deck_name, duplicate_id_errors
from deckgen.markdown import markdown
from deckgen.model import CardError, ParseResult
from deckgen.sources import Source, collect_sources, error, read_card_file
from deckgen.walker import DocumentResult, DocumentWalker

__all__ = [
    "ChunkJob",
    "DeckContext",
    "DocumentResult",
    "ParsedCard",
    "Source",
    "collect_sources",
    "duplicate_id_errors",
    "no_cards_error",
    "parse_chunk",
    "parse_document",
    "parse_file",
    "parse_paths",
    "parse_text",
    "plan_document",
    "read_card_file",
]


def parse_text(text: str, path: Path, deck_prefix: tuple[str, ...] = ()) -> ParseResult:
    """Parse one card file's text; `path` is only used for locations and the fallback deck."""
    document = parse_document(text, path, deck_prefix)
    document.errors.extend(duplicate_id_errors(p.card for p in document.parsed))
    return document.to_parse_result()


def parse_paths(paths: Sequence[Path]) -> ParseResult:
    """Parse files and folders (every `*.md` below a folder, sub-folders as parent decks)."""
    with collector_paused():
        return parse_paths_unpaused(paths)


def parse_paths_unpaused(paths: Sequence[Path]) -> ParseResult:
    sources, errors = collect_sources(paths)
    result = ParseResult(errors=errors)
    for source in sources:
        document = parse_file(source.path, source.deck_prefix)
        result.cards.extend(p.card for p in document.parsed)
        result.errors.extend(document.errors)
    result.errors.extend(duplicate_id_errors(result.cards))
    return result


def parse_file(path: Path, deck_prefix: tuple[str, ...] = ()) -> DocumentResult:
    text, problem = read_card_file(path)
    if problem is not None or text is None:
        return DocumentResult(errors=[problem] if problem else [])
    with collector_paused():
        return parse_document(text, path, deck_prefix)


def parse_document(text: str, path: Path, deck_prefix: tuple[str, ...] = ()) -> DocumentResult:
    """Parse a whole card file (see `plan_document` for how it is cut into cards)."""
    plan = plan_document(text, path, deck_prefix)
    for job in plan.jobs:
        plan.add(job.index, parse_chunk(job))
    return plan.finish()


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


def plan_document(
    text: str, path: Path, deck_prefix: tuple[str, ...] = (), media_root: Path | None = None
) -> DocumentPlan:
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
    context = DeckContext(deck_name([*deck_prefix, path.stem]))
    starts = chunk_starts(text)
    for index, start in enumerate(starts):
        end = starts[index + 1].offset - 1 if index + 1 < len(starts) else len(text)
        chunk = text[start.offset : end]  # without the newline before the next chunk
        job = ChunkJob(path, index, start.line, chunk, context, deck_prefix, media_root)
        if chunk.startswith("##"):
            plan.jobs.append(job)
        else:
            walker = parse_chunk_walker(job)
            plan.add(index, walker.result)
            context = walker.context()
    return plan


def parse_chunk(job: ChunkJob) -> DocumentResult:
    return parse_chunk_walker(job).result


def parse_chunk_walker(job: ChunkJob) -> DocumentWalker:
    env: dict[str, object] = {}
    tokens = markdown().parse(job.text, env)
    walker = DocumentWalker(job, job.text.split("\n"), env)
    walker.walk(tokens)
    return walker
