"""Card files -> one .apkg: `load` the cards with their HTML, stamp each note, write the
package, and only then the stamps (new stamps beside the old package would hide the changed
notes from Anki). On any problem nothing is written; nor when the package in place is the
very one this build would write."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path

from deckgen.anki_package import BuildReport, PackageWriter
from deckgen.cardformat.gc_pause import collector_paused
from deckgen.cardformat.load import load
from deckgen.cardformat.model import Card, CardError
from deckgen.cardformat.pool import ProgressCallback
from deckgen.note_stamps import NoteStamps, stamps_path_for
from deckgen.render import ANKI_HTML, RenderedCard


def check(paths: Sequence[Path], jobs: int | None = None) -> list[CardError]:
    """Every problem `build` would report, writing nothing (but the card cache)."""
    return load(paths, ANKI_HTML, jobs).errors


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
    loaded = load(paths, ANKI_HTML, jobs, progress, use_cache)
    if loaded.errors:
        return BuildReport(errors=loaded.errors)
    stamps_path = stamps_path_for(output)
    stamps = NoteStamps.load(stamps_path) if use_cache else NoteStamps(stamps_path)
    now = int(time.time())
    report = BuildReport(output=output, cards_rendered=loaded.parsed)
    stamped: list[tuple[Card, RenderedCard, int]] = []
    notes = hashlib.sha256()
    for file in loaded.files:
        for card, note in zip(file.cards, file.rendered, strict=True):
            assert isinstance(note, RenderedCard)
            mod, changed = stamps.stamp(card.id, note.digest, now)
            report.notes_changed += changed
            stamped.append((card, note, mod))
            notes.update(f"{card.id}\0{card.deck}\0{note.digest}\0{mod}\1".encode())
    notes_digest = notes.hexdigest()
    report.cards = len(stamped)
    report.decks = len({card.deck for card, _note, _mod in stamped})
    if not stamps.holds(output, notes_digest):
        writer = PackageWriter(now)
        for card, note, mod in stamped:
            writer.add(card, note.fields, note.guid, mod, note.media)
        writer.write(output)
        stamps.save({card.id for card in loaded.cards}, output, notes_digest)
    report.seconds = time.perf_counter() - started
    return report
