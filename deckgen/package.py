"""Rendered notes -> one .apkg via genanki, with per-note mod times, written atomically."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import genanki

from deckgen.anki import deck_id, make_note
from deckgen.cache import BuildCache
from deckgen.model import CardError
from deckgen.parts import RenderedPart


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


@dataclass
class StagedPackage:
    """Every note stamped and placed in its deck, ready to be written."""

    decks: dict[str, genanki.Deck]
    media: dict[str, Path]
    report: BuildReport
    now: int

    def write(self, output: Path) -> BuildReport:
        output.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="deckgen-media-") as staging:
            media_files = stage_media(self.media, Path(staging))
            package = genanki.Package(list(self.decks.values()), media_files=media_files)
            write_package_atomically(package, output, self.now)
        self.report.output = output
        return self.report


def stage_package(parts: Sequence[RenderedPart], cache: BuildCache) -> StagedPackage:
    """Notes with their mod times; updates the cache's stamps (nothing is written yet)."""
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
            deck.add_note(make_note(card, rendered.fields, mod, rendered.guid))
            media.update((m.name, m.source) for m in rendered.media)
            cards += 1
    report = BuildReport(decks=len(decks), cards=cards, notes_changed=changed)
    return StagedPackage(decks, media, report, now)


def write_package(parts: Sequence[RenderedPart], output: Path, cache: BuildCache) -> BuildReport:
    return stage_package(parts, cache).write(output)


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
