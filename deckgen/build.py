"""Card files -> rendered notes -> one .apkg, written atomically.

Each source file is parsed and rendered once, in a process pool when there is enough
work for both cores; files whose bytes (and images) are unchanged since the last build
of the same output are taken from the build cache instead.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import genanki
import markdown_it
import pygments

from deckgen.anki import deck_id, make_note, model_for
from deckgen.cache import BuildCache, cache_path_for, content_digest, write_atomically
from deckgen.highlight import PRE_STYLE
from deckgen.media import MediaFile
from deckgen.model import Card, CardError, CardKind, RunSpec, SourceLocation
from deckgen.parser import (
    Source,
    collect_sources,
    duplicate_id_errors,
    parse_document,
    read_card_file,
)
from deckgen.render import RenderedCard, render_card

# Bump when rendering changes, so cached HTML from older builds is not reused.
RENDER_VERSION = 1
RENDER_FINGERPRINT = content_digest(
    str(RENDER_VERSION), markdown_it.__version__, pygments.__version__, PRE_STYLE
)
PARALLEL_MIN_BYTES = 64 * 1024  # below this, starting worker processes costs more than it saves

ProgressCallback = Callable[[int, int], None]


@dataclass
class FileRender:
    """Everything one source file contributes to the deck."""

    source: Source
    digest: str
    cards: list[Card] = field(default_factory=list)
    rendered: list[RenderedCard] = field(default_factory=list)
    errors: list[CardError] = field(default_factory=list)
    from_cache: bool = False


@dataclass
class BuildReport:
    errors: list[CardError] = field(default_factory=list)
    output: Path | None = None
    decks: int = 0
    cards: int = 0
    notes_changed: int = 0
    files_rendered: int = 0
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


# --- rendering one file (runs in worker processes) ---------------------------------------


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_source(source: Source) -> FileRender:
    try:
        digest = file_digest(source.path.read_bytes())
    except OSError:
        digest = ""
    result = FileRender(source, digest)
    text, problem = read_card_file(source.path)
    if problem is not None or text is None:
        result.errors = [problem] if problem else []
        return result
    document = parse_document(text, source.path, source.deck_prefix)
    result.errors.extend(document.errors)
    for parsed in document.parsed:
        rendered, errors = render_card(parsed)
        result.errors.extend(errors)
        if rendered is not None:
            result.cards.append(parsed.card)
            result.rendered.append(rendered)
    return result


def render_sources(
    sources: Sequence[Source], jobs: int, progress: ProgressCallback | None = None
) -> list[FileRender]:
    """Render files, in parallel when worthwhile; results keep the sources' order."""
    total_bytes = sum(size_of(s.path) for s in sources)
    if jobs <= 1 or len(sources) <= 1 or total_bytes < PARALLEL_MIN_BYTES:
        results = []
        for done, source in enumerate(sources, 1):
            results.append(render_source(source))
            if progress:
                progress(done, len(sources))
        return results
    by_source: dict[int, FileRender] = {}
    # Biggest files first, so the two workers finish at about the same time.
    order = sorted(range(len(sources)), key=lambda i: -size_of(sources[i].path))
    with make_pool(min(jobs, len(sources))) as pool:
        futures = {pool.submit(render_source, sources[i]): i for i in order}
        for done, future in enumerate(as_completed(futures), 1):
            by_source[futures[future]] = future.result()
            if progress:
                progress(done, len(sources))
    return [by_source[i] for i in range(len(sources))]


def make_pool(workers: int) -> Executor:
    methods = multiprocessing.get_all_start_methods()
    # fork: workers inherit the imported modules, so they start in milliseconds.
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# --- the build cache's per-file entries ---------------------------------------------------


def cache_key(source: Source) -> str:
    return f"{source.path.resolve()}|{'::'.join(source.deck_prefix)}"


def image_stamps(rendered: Sequence[RenderedCard]) -> dict[str, list[int]]:
    stamps: dict[str, list[int]] = {}
    for card in rendered:
        for media in card.media:
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


def card_to_json(card: Card) -> list[Any]:
    run = card.run
    run_json = None
    if run is not None:
        run_line = run.location.line if run.location else card.location.line
        run_json = [run.command, run.expect, run.timeout, run.service, run_line]
    return [card.id, card.deck, card.title, card.front, card.back, card.location.line,
            list(card.tags), card.kind.value, run_json]  # fmt: skip


def card_from_json(data: list[Any], path: Path) -> Card:
    card_id, deck, title, front, back, line, tags, kind, run_json = data
    run = None
    if run_json is not None:
        command, expect, timeout, service, run_line = run_json
        run = RunSpec(command, expect, timeout, service, SourceLocation(path, run_line))
    return Card(card_id, deck, title, front, back, SourceLocation(path, line), tuple(tags),
                CardKind(kind), run)  # fmt: skip


def file_entry(result: FileRender) -> dict[str, Any]:
    return {
        "digest": result.digest,
        "images": image_stamps(result.rendered),
        "cards": [card_to_json(card) for card in result.cards],
        "fields": [list(r.fields) for r in result.rendered],
        "media": [[[m.name, str(m.source)] for m in r.media] for r in result.rendered],
    }


def from_cache(source: Source, entry: dict[str, Any] | None, digest: str) -> FileRender | None:
    if not entry or entry.get("digest") != digest or not images_unchanged(entry["images"]):
        return None
    path = source.path
    cards = [card_from_json(data, path) for data in entry["cards"]]
    rendered = [
        RenderedCard(
            (fields[0], fields[1], fields[2]),
            tuple(MediaFile(name, Path(src)) for name, src in media),
        )
        for fields, media in zip(entry["fields"], entry["media"], strict=True)
    ]
    return FileRender(source, digest, cards, rendered, from_cache=True)


# --- the pipeline -------------------------------------------------------------------------


def render_all(
    paths: Sequence[Path],
    cache: BuildCache | None = None,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[list[FileRender], list[CardError]]:
    """Every file's cards and HTML (fresh or cached) plus every problem found."""
    sources, errors = collect_sources(paths)
    cached_files = cache.files if cache is not None else {}
    results: list[FileRender | None] = []
    stale: list[Source] = []
    for source in sources:
        hit = None
        if cache is not None:
            try:
                digest = file_digest(source.path.read_bytes())
                hit = from_cache(source, cached_files.get(cache_key(source)), digest)
            except (OSError, ValueError, KeyError, TypeError):
                hit = None
        results.append(hit)
        if hit is None:
            stale.append(source)
    fresh = iter(render_sources(stale, jobs or default_jobs(), progress))
    merged = [hit if hit is not None else next(fresh) for hit in results]
    for result in merged:
        errors.extend(result.errors)
    errors.extend(duplicate_id_errors(card for r in merged for card in r.cards))
    return merged, errors


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
    started = time.perf_counter()
    cache_file = cache_path_for(output)
    if use_cache:
        cache = BuildCache.load(cache_file, RENDER_FINGERPRINT)
    else:
        cache = BuildCache(cache_file, RENDER_FINGERPRINT)
    results, errors = render_all(paths, cache, jobs, progress)
    if errors:
        return BuildReport(errors=errors)
    report = write_package(results, output, cache)
    cache.files = {cache_key(r.source): file_entry(r) for r in results}
    cache.save({card.id for r in results for card in r.cards})
    report.files_rendered = sum(1 for r in results if not r.from_cache)
    report.seconds = time.perf_counter() - started
    return report


def write_package(results: Sequence[FileRender], output: Path, cache: BuildCache) -> BuildReport:
    now = int(time.time())
    decks: dict[str, genanki.Deck] = {}
    media: dict[str, Path] = {}
    cards = changed = 0
    for result in results:
        for card, rendered in zip(result.cards, result.rendered, strict=True):
            deck = decks.get(card.deck)
            if deck is None:
                deck = decks[card.deck] = genanki.Deck(deck_id(card.deck), card.deck)
            model = model_for(card.kind)
            digest = content_digest(str(model.model_id), *rendered.fields, *card.tags)
            mod, is_changed = cache.stamp(card.id, digest, now)
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
