"""Cached chunks: a chunk's cards and HTML stored in the build cache, keyed by its source.

Lines are stored relative to the chunk, so a card that only moves stays cached.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from deckgen.cache import content_digest
from deckgen.media import MediaFile
from deckgen.model import Card, CardKind, RunSpec, SourceLocation
from deckgen.parser import ChunkJob
from deckgen.parts import RenderedPart
from deckgen.render import RenderedCard


def chunk_setting(job: ChunkJob, recorded: str) -> str:
    """What a chunk's result depends on besides its text: file, deck context, parents, the
    folder its media must stay in, and the file's recorded outputs (`recorded`, a digest)."""
    return content_digest(
        str(job.path), repr(job.context), repr(job.deck_prefix), str(job.media_root), recorded
    )


def chunk_key(job: ChunkJob, setting: str) -> str:
    return content_digest(setting, job.text)


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
        [[*note.fields, note.digest, note.guid] for note in part.notes],
        [[[m.name, str(m.source)] for m in note.media] for note in part.notes],
        image_stamps(part.notes),
    ]


def media_files(entries: list[list[str]]) -> tuple[MediaFile, ...]:
    return tuple(MediaFile(name, Path(source)) for name, source in entries)


def part_from_cache(
    job: ChunkJob, entry: list[Any], check_images: bool = True
) -> RenderedPart | None:
    """The cached part, or None when its images changed or the entry is not usable."""
    try:
        cards_json, fields, media, images = entry
        if check_images and images and not images_unchanged(images):
            return None
        cards = [card_from_json(data, job.path, job.start) for data in cards_json]
        notes = [
            RenderedCard((f[0], f[1], f[2]), media_files(m) if m else (), f[3], f[4])
            for f, m in zip(fields, media, strict=True)
        ]
    except (ValueError, TypeError, IndexError, KeyError):
        return None  # a damaged cache costs a re-render, never a failed build
    return RenderedPart(cards, notes, cache_entry=entry)
