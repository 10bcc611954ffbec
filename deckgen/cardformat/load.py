"""`load(paths)`: the one way card files are read, by deckgen, the study app and `verify`.

Folders contribute every `*.md` below them (sub-folders become parent decks). Each file is
read once: its cards, its problems as `path:line` errors, its recordings (`X.verified.json`)
and a digest of both files. What is unchanged since any earlier load comes from the one
cache (cache.py); the rest is parsed, on several processes when there is enough of it. With
a `renderer` (deckgen's HTML) each card is also rendered while its tokens are at hand, and
that rendering is cached with it.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deckgen.cardformat.cache import CachedFile, CardCache, ChunkPart
from deckgen.cardformat.digests import content_digest, deckgen_fingerprint
from deckgen.cardformat.files import Source, collect_sources, read_card_file
from deckgen.cardformat.gc_pause import collector_paused
from deckgen.cardformat.ids import duplicate_id_errors
from deckgen.cardformat.model import Card, CardError, SourceLocation
from deckgen.cardformat.recordings import (
    Recording,
    RecordingsError,
    recordings_from_bytes,
    recordings_path,
)

if TYPE_CHECKING:  # the parser loads only when a file needs parsing: not on a warm start
    from deckgen.cardformat.chunks import ChunkJob
    from deckgen.cardformat.pool import CardRenderer, ChunkPool, ChunkResult, ProgressCallback


@dataclass
class CardFile:
    """One card file as read."""

    path: Path
    deck_prefix: tuple[str, ...]
    digest: str  # sha256 of the file's bytes, hex (what a trust decision names)
    cards: list[Card] = field(default_factory=list)
    errors: list[CardError] = field(default_factory=list)
    recordings: dict[str, Recording] = field(default_factory=dict)  # by card id
    rendered: list[Any] = field(default_factory=list)  # per card, with a renderer


@dataclass
class CardSet:
    """Every card of the paths given, in source order, and every problem found."""

    files: list[CardFile] = field(default_factory=list)
    errors: list[CardError] = field(default_factory=list)  # all of them, files' included
    parsed: int = 0  # cards parsed by this load; the others came from the cache

    @property
    def cards(self) -> list[Card]:
        return [card for file in self.files for card in file.cards]

    @property
    def ok(self) -> bool:
        return not self.errors


def load(
    paths: Sequence[Path],
    renderer: CardRenderer | None = None,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    use_cache: bool = True,
) -> CardSet:
    with collector_paused():
        return load_unpaused(paths, renderer, jobs, progress, use_cache)


def load_unpaused(
    paths: Sequence[Path],
    renderer: CardRenderer | None,
    jobs: int | None,
    progress: ProgressCallback | None,
    use_cache: bool,
) -> CardSet:
    sources, errors = collect_sources(paths)
    cache = CardCache.open() if use_cache else None
    reader = Reader(cache, renderer, jobs, sources)
    try:
        files = [reader.read(source) for source in sources]
        reader.parse_pending(progress)
        if cache is not None:
            cache.put(reader.to_cache)
    finally:
        reader.close()
        if cache is not None:
            cache.close()
    result = CardSet(files, errors, reader.parsed)
    for file in files:
        result.errors.extend(file.errors)
    result.errors.extend(duplicate_id_errors(result.cards))
    return result


@dataclass
class Slot:
    """One chunk of a file: ready (from the cache, or a deck chunk parsed at once) or
    waiting for the pool."""

    key: str
    ready: ChunkResult | None = None
    job: ChunkJob | None = None


@dataclass
class FileInProgress:
    file: CardFile
    key: str  # its row in the cache
    digest: str  # of the file and its recordings: the cache row is current while it matches
    render_setting: str
    slots: list[Slot] = field(default_factory=list)


class Reader:
    """Reads files one by one, handing the chunks to parse to one pool as it goes."""

    def __init__(
        self,
        cache: CardCache | None,
        renderer: CardRenderer | None,
        jobs: int | None,
        sources: Sequence[Source],
    ) -> None:
        self.cache = cache
        self.renderer = renderer
        self.jobs = jobs
        self.expected_bytes = total_size(sources)
        self.fingerprint = deckgen_fingerprint()
        self.pool: ChunkPool | None = None
        self.in_progress: list[FileInProgress] = []
        self.to_cache: dict[str, CachedFile] = {}
        self.parsed = 0  # cards

    def read(self, source: Source) -> CardFile:
        data, text, problem = read_card_file(source.path)
        recordings_data, recordings, recordings_problem = read_recordings(source.path)
        digest = hashlib.sha256(data).hexdigest()
        recorded = hashlib.sha256(recordings_data).hexdigest()
        file = CardFile(source.path, source.deck_prefix, digest, recordings=recordings)
        if recordings_problem is not None:
            file.errors.append(recordings_problem)
        if problem is not None or text is None:
            file.errors.extend([problem] if problem else [])
            return file
        key = content_digest(
            self.fingerprint, str(source.path), repr(source.deck_prefix), str(source.media_root)
        )
        render_setting = content_digest(self.renderer.name, recorded) if self.renderer else ""
        cached = self.cache.get(key, self.renderer is not None) if self.cache else None
        progress = FileInProgress(file, key, content_digest(digest, recorded), render_setting)
        if (
            cached is not None
            and cached.digest == progress.digest
            and self.take(cached, file, render_setting)
        ):
            return file
        self.plan(source, text, cached, progress)
        self.in_progress.append(progress)
        return file

    def take(self, cached: CachedFile, file: CardFile, setting: str) -> bool:
        """Fill `file` from its cache row, written from these very bytes; False when a
        renderer needs what the row lacks (then nothing is taken)."""
        if self.renderer is not None:
            found = [cached.rendered.get(key) for key in cached.parts]
            if any(entry is None or entry[0] != setting for entry in found):
                return False
            rendered = [item for entry in found if entry is not None for item in entry[1]]
            if not all(item is not None and self.renderer.still_fresh(item) for item in rendered):
                return False
            file.rendered.extend(rendered)
        for part in cached.parts.values():
            file.cards.extend(part.cards)
            file.errors.extend(part.errors)
        no_cards_check(file)
        return True

    def reuse(
        self, cached: CachedFile, key: str, part: ChunkPart, start: int, setting: str
    ) -> ChunkResult | None:
        """A cached chunk moved to line `start`, or None when a renderer needs what the
        cache lacks (never rendered with this setting, or gone stale)."""
        from deckgen.cardformat.pool import ChunkResult

        moved = shifted(part, start)
        if self.renderer is None:
            return ChunkResult(moved)
        found = cached.rendered.get(key)
        if found is None or found[0] != setting:
            return None
        rendered = found[1]
        if not all(item is not None and self.renderer.still_fresh(item) for item in rendered):
            return None
        return ChunkResult(moved, rendered)

    def plan(
        self, source: Source, text: str, cached: CachedFile | None, progress: FileInProgress
    ) -> None:
        """Cut the file; deck chunks are parsed here, unchanged chunks come from the cache,
        the others go to the pool, whose workers start on them at once."""
        from deckgen.cardformat.parse import plan_document
        from deckgen.cardformat.pool import ChunkResult

        plan = plan_document(text, source.path, source.deck_prefix, source.media_root)
        progress.file.errors.extend(plan.errors)
        slots: dict[int, Slot] = {}  # by chunk index
        for index, document in plan.results.items():
            part = ChunkPart(0, [p.card for p in document.parsed], document.errors)
            result = ChunkResult(part)
            if self.renderer is not None:
                result.rendered = []
                for parsed in document.parsed:
                    recording = progress.file.recordings.get(parsed.card.id)
                    rendered, errors = self.renderer.render(parsed, recording)
                    result.rendered.append(rendered)
                    result.render_errors.extend(errors)
            slots[index] = Slot(f"deck-{index}", result)
            self.parsed += len(part.cards)
        settings: dict[int, str] = {}  # what a chunk's cards depend on besides its text
        for job in plan.jobs:
            job.recordings = progress.file.recordings
            setting = settings.get(id(job.context))
            if setting is None:  # the chunks of a file mostly share one deck context
                where = (repr(job.context), repr(job.deck_prefix), str(job.media_root))
                setting = settings[id(job.context)] = content_digest(*where)
            key = content_digest(setting, job.text)
            old = cached.parts.get(key) if cached is not None else None
            ready = None
            if cached is not None and old is not None:
                ready = self.reuse(cached, key, old, job.start, progress.render_setting)
            slot = Slot(key, ready, None if ready else job)
            if slot.job is not None:
                self.chunk_pool().add(slot.job)
            slots[job.index] = slot
        progress.slots = [slots[index] for index in sorted(slots)]

    def chunk_pool(self) -> ChunkPool:
        if self.pool is None:
            from deckgen.cardformat.pool import ChunkPool, default_jobs

            workers = self.jobs or default_jobs()
            asked = self.jobs is not None
            self.pool = ChunkPool(workers, self.expected_bytes, self.renderer, asked)
        return self.pool

    def close(self) -> None:
        """Stop the pool's workers (at once when the load failed)."""
        if self.pool is not None:
            self.pool.close()

    def parse_pending(self, progress: ProgressCallback | None) -> None:
        """Wait for the pool, fill each file's waiting chunks in order, and finish them."""
        if self.pool is not None:
            results = self.pool.stream(progress)
            for file in self.in_progress:
                for slot in file.slots:
                    if slot.ready is None:
                        slot.ready = next(results)
                        self.parsed += len(slot.ready.part.cards)
        elif progress is not None:
            progress(0, 0)
        for file in self.in_progress:
            finish_file(file)
            self.to_cache[file.key] = to_cached(file)


def finish_file(progress: FileInProgress) -> None:
    file = progress.file
    for slot in progress.slots:
        assert slot.ready is not None
        result = slot.ready
        file.cards.extend(result.part.cards)
        file.errors.extend(result.part.errors)
        file.errors.extend(result.render_errors)
        if result.rendered is not None:
            file.rendered.extend(result.rendered)
    no_cards_check(file)


def no_cards_check(file: CardFile) -> None:
    """A readable file that gives neither a card nor a problem is a problem itself."""
    from deckgen.cardformat.parse import no_cards_error

    if not file.cards and not file.errors:
        file.errors.append(no_cards_error(file.path))


def to_cached(progress: FileInProgress) -> CachedFile:
    """What the cache keeps of a file: every chunk's cards and problems, and the rendering
    of the chunks that rendered without a problem (a missing image may appear later)."""
    parts: dict[str, ChunkPart] = {}
    rendered: dict[str, tuple[str, list[Any]]] = {}
    for slot in progress.slots:
        assert slot.ready is not None
        parts[slot.key] = slot.ready.part
        if slot.ready.rendered is not None and not slot.ready.render_errors:
            rendered[slot.key] = (progress.render_setting, slot.ready.rendered)
    return CachedFile(progress.digest, parts, rendered)


def shifted(part: ChunkPart, start: int) -> ChunkPart:
    """`part` as found at file line `start` (its cards and errors move along)."""
    delta = start - part.start
    if delta == 0:
        return part
    cards = [move_card(card, delta) for card in part.cards]
    errors = [CardError(moved(e.location, delta), e.message) for e in part.errors]
    return ChunkPart(start, cards, errors)


def move_card(card: Card, delta: int) -> Card:
    from dataclasses import replace

    run = card.run
    if run is not None and run.location is not None:
        run = replace(run, location=moved(run.location, delta))
    return replace(card, location=moved(card.location, delta), run=run)


def moved(location: SourceLocation, delta: int) -> SourceLocation:
    return SourceLocation(location.path, location.line + delta)


def read_recordings(
    card_file: Path,
) -> tuple[bytes, dict[str, Recording], CardError | None]:
    """A card file's recordings: the file's bytes (b"" when absent), what it holds, and the
    problem with it as a `path:line` error."""
    path = recordings_path(card_file)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return b"", {}, None
    except OSError as exc:
        return b"", {}, CardError(SourceLocation(path, 1), f"cannot read: {exc.strerror or exc}")
    try:
        return data, recordings_from_bytes(path, data), None
    except RecordingsError as exc:
        return data, {}, CardError(SourceLocation(exc.path, exc.line), exc.message)


def total_size(sources: Sequence[Source]) -> int:
    """Bytes of all card files: sizes the batches sent to the workers."""
    size = 0
    for source in sources:
        with contextlib.suppress(OSError):  # reported when the file is read
            size += source.path.stat().st_size
    return size
