"""Card files -> rendered notes -> one .apkg, written atomically.

Each source file is parsed and rendered once, in a process pool when there is enough
work for both cores; files whose bytes (and images) are unchanged since the last build
of the same output are taken from the build cache instead.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import genanki
import markdown_it
import pygments

from deckgen.anki import deck_id, make_note
from deckgen.cache import BuildCache, cache_path_for, content_digest, write_atomically
from deckgen.highlight import PRE_STYLE
from deckgen.media import MediaFile
from deckgen.model import Card, CardError, CardKind, RunSpec, SourceLocation
from deckgen.parser import (
    ChunkJob,
    DocumentResult,
    Source,
    collect_sources,
    duplicate_id_errors,
    no_cards_error,
    parse_chunk,
    plan_document,
    read_card_file,
)
from deckgen.render import RenderedCard, render_card

# Bump when rendering changes, so cached HTML from older builds is not reused.
RENDER_VERSION = 2
RENDER_FINGERPRINT = content_digest(
    str(RENDER_VERSION), markdown_it.__version__, pygments.__version__, PRE_STYLE
)
PARALLEL_MIN_BYTES = 64 * 1024  # below this, starting worker processes costs more than it saves
BATCHES_PER_WORKER = 4

ProgressCallback = Callable[[int, int], None]


@dataclass
class RenderedPart:
    """The cards of one chunk of a file (normally one card) with their HTML."""

    cards: list[Card] = field(default_factory=list)
    notes: list[RenderedCard] = field(default_factory=list)
    errors: list[CardError] = field(default_factory=list)
    cache_entry: list[Any] | None = None  # as loaded, when the part came from the cache


@dataclass
class BuildReport:
    errors: list[CardError] = field(default_factory=list)
    output: Path | None = None
    decks: int = 0
    cards: int = 0
    notes_changed: int = 0
    cards_rendered: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return (
            f"built {self.output}: {plural(self.decks, 'deck')}, {plural(self.cards, 'card')} "
            f"in {self.seconds:.2f} s ({plural(self.notes_changed, 'note')} changed)"
        )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# --- rendering (runs in worker processes) -------------------------------------------------


def render_parsed(document: DocumentResult) -> RenderedPart:
    part = RenderedPart(errors=list(document.errors))
    for parsed in document.parsed:
        rendered, errors = render_card(parsed)
        part.errors.extend(errors)
        if rendered is not None:
            part.cards.append(parsed.card)
            part.notes.append(rendered)
    return part


def render_chunks(jobs: Sequence[ChunkJob]) -> list[RenderedPart]:
    return [render_parsed(parse_chunk(job)) for job in jobs]


def render_all_chunks(
    jobs: Sequence[ChunkJob], workers: int, progress: ProgressCallback | None = None
) -> list[RenderedPart]:
    """Parse and render card chunks, on several processes when worthwhile; keeps order."""
    total_bytes = sum(len(job.text) for job in jobs)
    if workers <= 1 or total_bytes < PARALLEL_MIN_BYTES:
        parts = render_chunks(jobs)
        if progress:
            progress(len(jobs), len(jobs))
        return parts
    batches = split_evenly(list(jobs), workers * BATCHES_PER_WORKER)
    parts = []
    done = 0
    with make_pool(workers) as pool:
        # map() keeps the order; several batches per worker give the progress bar steps.
        for batch, rendered in zip(batches, pool.map(render_chunks, batches), strict=True):
            parts.extend(rendered)
            done += len(batch)
            if progress:
                progress(done, len(jobs))
    return parts


def split_evenly(jobs: list[ChunkJob], count: int) -> list[list[ChunkJob]]:
    size = max(1, -(-len(jobs) // count))
    return [jobs[i : i + size] for i in range(0, len(jobs), size)]


def make_pool(workers: int) -> Executor:
    methods = multiprocessing.get_all_start_methods()
    # fork: workers inherit the imported modules, so they start in milliseconds.
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# --- the build cache's chunk entries ------------------------------------------------------


def chunk_key(job: ChunkJob) -> str:
    return content_digest(str(job.path), repr(job.context), repr(job.deck_prefix), job.text)


def image_stamps(notes: Sequence[RenderedCard]) -> dict[str, list[int]]:
    stamps: dict[str, list[int]] = {}
    for note in notes:
        for media in note.media:
            stat = media.source.stat()
            stamps[str(media.source)] = [stat.st_size, stat.st_mtime_ns]
    return stamps


def images_unchanged(stamps: dict[str, list[int]]) -> bool:
    for path, (size, mtime) in stamps.items():
        try:
            stat = os.stat(path)
        except OSError:
            return False
        if stat.st_size != size or stat.st_mtime_ns != mtime:
            return False
    return True


def card_to_json(card: Card, offset: int) -> list[Any]:
    """Lines are stored relative to the chunk, so a card that moves stays cached."""
    run = card.run
    run_json = None
    if run is not None:
        run_line = run.location.line if run.location else card.location.line
        run_json = [run.command, run.expect, run.timeout, run.service, run_line - offset]
    return [card.id, card.deck, card.title, card.front, card.back, card.location.line - offset,
            list(card.tags), card.kind.value, run_json]  # fmt: skip


def card_from_json(data: list[Any], path: Path, offset: int) -> Card:
    card_id, deck, title, front, back, line, tags, kind, run_json = data
    run = None
    if run_json is not None:
        command, expect, timeout, service, run_line = run_json
        location = SourceLocation(path, run_line + offset)
        run = RunSpec(command, expect, timeout, service, location)
    return Card(card_id, deck, title, front, back, SourceLocation(path, line + offset),
                tuple(tags), CardKind(kind), run)  # fmt: skip


def chunk_entry(job: ChunkJob, part: RenderedPart) -> list[Any]:
    if part.cache_entry is not None:
        return part.cache_entry
    return [
        [card_to_json(card, job.start) for card in part.cards],
        [[*note.fields, note.digest] for note in part.notes],
        [[[m.name, str(m.source)] for m in note.media] for note in part.notes],
        image_stamps(part.notes),
    ]


def part_from_cache(job: ChunkJob, entry: list[Any]) -> RenderedPart | None:
    cards_json, fields, media, images = entry
    if images and not images_unchanged(images):
        return None
    cards = [card_from_json(data, job.path, job.start) for data in cards_json]
    notes = [
        RenderedCard((f[0], f[1], f[2]), tuple(MediaFile(name, Path(src)) for name, src in m), f[3])
        for f, m in zip(fields, media, strict=True)
    ]
    return RenderedPart(cards, notes, cache_entry=entry)


# --- the pipeline -------------------------------------------------------------------------


@dataclass
class FileParts:
    source: Source
    parts: dict[int, RenderedPart] = field(default_factory=dict)  # by chunk index
    errors: list[CardError] = field(default_factory=list)


def render_all(
    paths: Sequence[Path],
    cache: BuildCache | None = None,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[list[tuple[tuple[ChunkJob, str] | None, RenderedPart]], list[CardError], int]:
    """Every card with its HTML, in source order, plus every problem found.

    Returns (parts, errors, number of cards rendered afresh); each part comes with its
    chunk job and cache key, or None when it was parsed with its file's deck heading
    (those are never cached).
    """
    sources, errors = collect_sources(paths)
    files: list[FileParts] = []
    pending: list[tuple[FileParts, ChunkJob]] = []
    jobs_of: dict[tuple[int, int], tuple[ChunkJob, str]] = {}
    for source in sources:
        file = FileParts(source)
        files.append(file)
        text, problem = read_card_file(source.path)
        if problem is not None or text is None:
            file.errors.extend([problem] if problem else [])
            continue
        plan = plan_document(text, source.path, source.deck_prefix)
        file.errors.extend(plan.errors)
        for index, document in plan.results.items():
            file.parts[index] = render_parsed(document)
        for job in plan.jobs:
            key = chunk_key(job)
            jobs_of[(id(file), job.index)] = (job, key)
            entry = cache.chunks.get(key) if cache is not None else None
            hit = part_from_cache(job, entry) if entry is not None else None
            if hit is None:
                pending.append((file, job))
            else:
                file.parts[job.index] = hit
    fresh = render_all_chunks([job for _, job in pending], jobs or default_jobs(), progress)
    for (file, job), part in zip(pending, fresh, strict=True):
        file.parts[job.index] = part
    ordered: list[tuple[tuple[ChunkJob, str] | None, RenderedPart]] = []
    for file in files:
        errors.extend(file.errors)
        for index in sorted(file.parts):
            part = file.parts[index]
            errors.extend(part.errors)
            ordered.append((jobs_of.get((id(file), index)), part))
        if not file.errors and not any(p.cards or p.errors for p in file.parts.values()):
            errors.append(no_cards_error(file.source.path))
    all_cards = (card for _, part in ordered for card in part.cards)
    errors.extend(duplicate_id_errors(all_cards))
    return ordered, errors, sum(len(part.cards) for part in fresh)


def check(paths: Sequence[Path], jobs: int | None = None) -> list[CardError]:
    return render_all(paths, None, jobs)[1]


def build(
    paths: Sequence[Path],
    output: Path,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    use_cache: bool = True,
) -> BuildReport:
    """Build `output` from card files; on any error nothing is written."""
    with collector_paused():
        return build_unpaused(paths, output, jobs, progress, use_cache)


@contextmanager
def collector_paused() -> Iterator[None]:
    """A build makes hundreds of thousands of short-lived, acyclic objects; without this,
    the garbage collector re-scans the whole loaded cache again and again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_unpaused(
    paths: Sequence[Path],
    output: Path,
    jobs: int | None,
    progress: ProgressCallback | None,
    use_cache: bool,
) -> BuildReport:
    started = time.perf_counter()
    cache_file = cache_path_for(output)
    if use_cache:
        cache = BuildCache.load(cache_file, RENDER_FINGERPRINT)
    else:
        cache = BuildCache(cache_file, RENDER_FINGERPRINT)
    parts, errors, rendered = render_all(paths, cache, jobs, progress)
    if errors:
        return BuildReport(errors=errors)
    report = write_package([part for _, part in parts], output, cache)
    cache.chunks = {key: chunk_entry(job, part) for (job, key), part in keyed_parts(parts)}
    cache.save({card.id for _, part in parts for card in part.cards})
    report.cards_rendered = rendered
    report.seconds = time.perf_counter() - started
    return report


def keyed_parts(
    parts: Sequence[tuple[tuple[ChunkJob, str] | None, RenderedPart]],
) -> list[tuple[tuple[ChunkJob, str], RenderedPart]]:
    return [(keyed, part) for keyed, part in parts if keyed is not None]


def write_package(parts: Sequence[RenderedPart], output: Path, cache: BuildCache) -> BuildReport:
    now = int(time.time())
    decks: dict[str, genanki.Deck] = {}
    media: dict[str, Path] = {}
    cards = changed = 0
    for part in parts:
        for card, rendered in zip(part.cards, part.notes, strict=True):
            deck = decks.get(card.deck)
            if deck is None:
                deck = decks[card.deck] = genanki.Deck(deck_id(card.deck), card.deck)
            mod, is_changed = cache.stamp(card.id, rendered.digest, now)
            changed += is_changed
            deck.add_note(make_note(card, rendered.fields, mod))
            media.update((m.name, m.source) for m in rendered.media)
            cards += 1
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="deckgen-media-") as staging:
        media_files = stage_media(media, Path(staging))
        package = genanki.Package(list(decks.values()), media_files=media_files)
        write_package_atomically(package, output, now)
    return BuildReport(output=output, decks=len(decks), cards=cards, notes_changed=changed)


def stage_media(media: dict[str, Path], staging: Path) -> list[str]:
    """genanki names media after the file's base name: give each its hashed name."""
    staged = []
    for name, source in sorted(media.items()):
        target = staging / name
        try:
            os.symlink(source, target)
        except OSError:
            shutil.copyfile(source, target)
        staged.append(str(target))
    return staged


def write_package_atomically(package: genanki.Package, output: Path, now: int) -> None:
    fd, temp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    os.close(fd)
    try:
        package.write_to_file(temp, timestamp=now)
        os.chmod(temp, 0o644)
        os.replace(temp, output)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


__all__ = ["BuildReport", "build", "check", "render_all", "write_atomically"]
