"""One card file's text -> its cards: cut into per-card chunks, each parsed on its own.

A file is cut at its top-level `# `/`## ` lines (chunks.py); the deck chunks are parsed at
once (they set the deck a card inherits), the card chunks become `ChunkJob`s that can be
parsed anywhere (load.py hands them to a pool and keeps their results in its cache). Each
chunk is parsed with markdown-it-py and walked token by token (walker.py); each card's
fields are checked by fields.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from deckgen.cardformat.chunks import ChunkJob, DeckContext, chunk_starts, normalize_newlines
from deckgen.cardformat.files import error
from deckgen.cardformat.ids import deck_name, duplicate_id_errors
from deckgen.cardformat.markdown import structure_markdown
from deckgen.cardformat.model import CardError, ParseResult
from deckgen.cardformat.walker import DocumentResult, DocumentWalker


def parse_text(text: str, path: Path, deck_prefix: tuple[str, ...] = ()) -> ParseResult:
    """Parse one card file's text here and now (no cache); `path` only names locations and
    the fallback deck. Files on disk are read with `load.load`."""
    document = parse_document(text, path, deck_prefix)
    document.errors.extend(duplicate_id_errors(p.card for p in document.parsed))
    return ParseResult(cards=[p.card for p in document.parsed], errors=document.errors)


def parse_document(text: str, path: Path, deck_prefix: tuple[str, ...] = ()) -> DocumentResult:
    """Parse a whole card file (see `plan_document` for how it is cut into cards)."""
    plan = plan_document(text, path, deck_prefix)
    for job in plan.jobs:
        plan.results[job.index] = parse_chunk(job)
    return plan.finish()


@dataclass
class DocumentPlan:
    """A file cut into chunks: deck chunks parsed already, card chunks still to parse."""

    path: Path
    jobs: list[ChunkJob] = field(default_factory=list)
    results: dict[int, DocumentResult] = field(default_factory=dict)  # by chunk index
    errors: list[CardError] = field(default_factory=list)

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
            walker = walk_chunk(job)
            plan.results[index] = walker.result
            context = walker.context()
    return plan


def parse_chunk(job: ChunkJob) -> DocumentResult:
    return walk_chunk(job).result


def walk_chunk(job: ChunkJob) -> DocumentWalker:
    env: dict[str, object] = {}
    tokens = structure_markdown().parse(job.text, env)
    walker = DocumentWalker(job, job.text.split("\n"), env)
    walker.walk(tokens)
    return walker
