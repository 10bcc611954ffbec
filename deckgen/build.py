"""Card files -> rendered notes -> one .apkg: the build and check pipelines.

Each card is parsed and rendered once, in a process pool when there is enough work for
both cores; cards whose source (and images) are unchanged since the last build of the
same output are taken from the build cache instead. The stages overlap: the workers start
while files are still being cut, and notes go into the package as their parts come back.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from deckgen.atomic import replace_with
from deckgen.cache import BuildCache, cache_path_for
from deckgen.chunk_cache import chunk_entry, chunk_key, chunk_setting, part_from_cache
from deckgen.evidence import forget_recordings, recordings_state
from deckgen.fingerprint import deckgen_fingerprint
from deckgen.gc_pause import collector_paused
from deckgen.highlight import forget_highlights
from deckgen.model import Card, CardError
from deckgen.package import BuildReport, PackageWriter
from deckgen.parser import (
    ChunkJob,
    Source,
    collect_sources,
    duplicate_id_errors,
    no_cards_error,
    plan_document,
    read_card_file,
)
from deckgen.parts import RenderedPart
from deckgen.pool import (
    PARALLEL_MIN_BYTES,
    ChunkRenderer,
    ProgressCallback,
    default_jobs,
    render_parsed,
)

__all__ = ["PARALLEL_MIN_BYTES", "BuildReport", "build", "check", "render_all", "render_parsed"]


@dataclass
class PlacedPart:
    """A rendered chunk with the job and cache key it came from (None for the parts
    parsed together with a file's deck heading: those are never cached)."""

    part: RenderedPart
    job: ChunkJob | None = None
    key: str | None = None


@dataclass
class RenderResult:
    parts: list[PlacedPart]  # in source order
    errors: list[CardError]
    cards_rendered: int  # rendered afresh, not taken from the cache

    @property
    def cards(self) -> list[Card]:
        return [card for placed in self.parts for card in placed.part.cards]


@dataclass
class FileParts:
    source: Source
    parts: dict[int, PlacedPart] = field(default_factory=dict)  # by chunk index
    pending: dict[int, tuple[ChunkJob, str]] = field(default_factory=dict)  # being rendered
    errors: list[CardError] = field(default_factory=list)


def render_all(
    paths: Sequence[Path],
    cache: BuildCache | None = None,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    on_part: Callable[[RenderedPart], None] | None = None,
) -> RenderResult:
    """Every card with its HTML, in source order, plus every problem found.

    `on_part` gets each part in source order as soon as it is ready (and before the
    whole result is known to be free of problems), e.g. to write the package meanwhile.
    """
    forget_highlights()
    forget_recordings()
    sources, errors = collect_sources(paths)
    files = [FileParts(source) for source in sources]
    ordered: list[PlacedPart] = []
    with ChunkRenderer(jobs or default_jobs(), total_size(sources)) as renderer:
        for file in files:
            plan_file(file, cache, renderer)
        rendered = renderer.stream(progress)
        for file in files:
            errors.extend(file.errors)
            for placed in place_parts(file, rendered):
                errors.extend(placed.part.errors)
                ordered.append(placed)
                if on_part is not None:
                    on_part(placed.part)
            found = any(p.part.cards or p.part.errors for p in file.parts.values())
            if not file.errors and not found:
                errors.append(no_cards_error(file.source.path))
    fresh = sum(len(file.parts[index].part.cards) for file in files for index in file.pending)
    result = RenderResult(ordered, errors, fresh)
    errors.extend(duplicate_id_errors(result.cards))
    return result


def plan_file(file: FileParts, cache: BuildCache | None, renderer: ChunkRenderer) -> None:
    """Cut one file into chunks: deck chunks are parsed here, unchanged chunks come from
    the cache, and the others go to the renderer, whose workers start on them at once."""
    text, problem = read_card_file(file.source.path)
    if problem is not None or text is None:
        file.errors.extend([problem] if problem else [])
        return
    source = file.source
    plan = plan_document(text, source.path, source.deck_prefix, source.media_root)
    file.errors.extend(plan.errors)
    recorded, problem = recordings_state(source.path)
    if problem is not None:
        file.errors.append(problem)
    for index, document in plan.results.items():
        file.parts[index] = PlacedPart(render_parsed(document))
    settings: dict[int, str] = {}  # the chunks of a file mostly share one setting
    for job in plan.jobs:
        setting = settings.get(id(job.context))
        if setting is None:
            setting = settings[id(job.context)] = chunk_setting(job, recorded)
        key = chunk_key(job, setting)
        entry = cache.chunks.get(key) if cache is not None else None
        hit = part_from_cache(job, entry) if entry is not None else None  # None: stale
        if hit is None:
            file.pending[job.index] = (job, key)
            renderer.add(job)
        else:
            file.parts[job.index] = PlacedPart(hit, job, key)


def place_parts(file: FileParts, rendered: Iterator[RenderedPart]) -> Iterator[PlacedPart]:
    """The file's parts in order; its pending chunks are the next ones `rendered` yields
    (the renderer returns parts in the order the jobs were added)."""
    for index in sorted(file.parts.keys() | file.pending.keys()):
        placed = file.parts.get(index)
        if placed is None:
            job, key = file.pending[index]
            placed = file.parts[index] = PlacedPart(next(rendered), job, key)
        yield placed


def write_package_and_cache(
    writer: PackageWriter, output: Path, cache: BuildCache, keep_ids: set[str]
) -> BuildReport:
    """The package, and meanwhile on a thread the cache file (SQLite and file writes
    release the GIL, so the two overlap). The new cache replaces the old one only once
    the package is in place: new stamps beside the old package would hide the changed
    notes from Anki."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=1) as thread:
        cache_temp = thread.submit(cache.write_temp, keep_ids)
        try:
            report = writer.finish(output)
        except BaseException:
            cache_temp.add_done_callback(discard_temp_file)
            raise
    replace_with(cache_temp.result(), cache.path)
    return report


def discard_temp_file(written: Future[Path]) -> None:
    if written.exception() is None:
        written.result().unlink(missing_ok=True)


def total_size(sources: Sequence[Source]) -> int:
    """Bytes of all card files: sizes the batches sent to the workers."""
    size = 0
    for source in sources:
        with contextlib.suppress(OSError):  # reported when the file is read
            size += source.path.stat().st_size
    return size


def check(paths: Sequence[Path], jobs: int | None = None) -> list[CardError]:
    return render_all(paths, None, jobs).errors


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


def build_unpaused(
    paths: Sequence[Path],
    output: Path,
    jobs: int | None,
    progress: ProgressCallback | None,
    use_cache: bool,
) -> BuildReport:
    started = time.perf_counter()
    cache_file = cache_path_for(output)
    # Cached cards are reused only if made by this very deckgen (see fingerprint.py).
    fingerprint = deckgen_fingerprint()
    if use_cache:
        cache = BuildCache.load(cache_file, fingerprint)
    else:
        cache = BuildCache(cache_file, fingerprint)
    writer = PackageWriter(cache)
    try:
        rendered = render_all(paths, cache, jobs, progress, on_part=writer.add)
        if rendered.errors:
            writer.discard()
            return BuildReport(errors=rendered.errors)
        cache.chunks = {
            placed.key: placed.part.encoded_entry or chunk_entry(placed.job, placed.part)
            for placed in rendered.parts
            if placed.key is not None and placed.job is not None
        }
        report = write_package_and_cache(writer, output, cache, {c.id for c in rendered.cards})
    except BaseException:
        writer.discard()
        raise
    report.cards_rendered = rendered.cards_rendered
    report.seconds = time.perf_counter() - started
    return report
