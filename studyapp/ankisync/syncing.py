"""`studyapp sync-anki [COLLECTION]`: both ways with a closed Anki collection.

Order: refuse a collection that is open elsewhere, back it up, bring the deck itself in
(Anki's importer with deckgen's package: new notes added, edited ones updated), then unite
the review logs and move each card's schedule from whichever side reviewed it last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from studyapp.ankisync.anki_side import AnkiDeckView, read_deck
from studyapp.ankisync.collection import backup, open_collection, schema_version
from studyapp.ankisync.days import AnkiDays
from studyapp.ankisync.deck import build_deck_package, deck_keys, opened_study
from studyapp.ankisync.errors import AnkiSyncError
from studyapp.ankisync.matching import DeckKeys
from studyapp.ankisync.merge import MergePlan, by_card, plan_merge
from studyapp.ankisync.sources import import_package
from studyapp.ankisync.transfer import Moved, pull_to_terminal, push_to_anki
from studyapp.study import Study

REPORTED_IDS = 5  # stale cards named in the report; the rest are counted


@dataclass
class SyncReport:
    collection: Path
    dry_run: bool
    new_notes: int = 0
    to_anki: Moved = field(default_factory=lambda: Moved(0, 0))
    to_terminal: Moved = field(default_factory=lambda: Moved(0, 0))
    left_alone: list[str] = field(default_factory=list)  # card ids gone from the deck files
    backup: Path | None = None

    def lines(self) -> list[str]:
        verb = "would" if self.dry_run else ""
        lines = [
            f"{self.collection}: {'dry run, nothing written' if self.dry_run else 'synced'}",
            f"  deck: {self.new_notes} new notes {verb + ' be ' if verb else ''}added to Anki",
            f"  to Anki: {self.to_anki.reviews} reviews, {self.to_anki.cards} card schedules",
            f"  to the terminal: {self.to_terminal.reviews} reviews, "
            f"{self.to_terminal.cards} card schedules",
        ]
        clashes = self.to_anki.clashes + self.to_terminal.clashes
        if clashes:
            lines.append(f"  left out: {clashes} reviews whose time the other side already uses")
        if self.left_alone:
            named = ", ".join(self.left_alone[:REPORTED_IDS])
            more = len(self.left_alone) - REPORTED_IDS
            lines.append(
                f"  left alone in Anki: {len(self.left_alone)} cards no longer in the deck "
                f"files ({named}{f', and {more} more' if more > 0 else ''})"
            )
        if self.backup is not None:
            lines.append(f"  backup: {self.backup}")
        return lines


def sync_anki(
    collection: Path, paths: Sequence[Path], data_dir: Path, dry_run: bool = False
) -> SyncReport:
    report = SyncReport(collection, dry_run)
    # The collection first: one Anki has open is refused before anything is written.
    with open_collection(collection) as col, opened_study(paths, data_dir) as study:
        package = build_deck_package(study)
        keys = deck_keys(study)
        version = schema_version(col)
        present = read_deck(col, keys)
        report.new_notes = len(keys.guids - present.guids_present)
        report.left_alone = _gone_from_deck(col, study, keys)
        if dry_run:
            plan = _plan(study, present)
            report.to_anki = Moved(len(plan.to_anki), len(plan.schedule_from_terminal))
            report.to_terminal = Moved(len(plan.to_terminal), len(plan.schedule_from_anki))
            return report
        report.backup = backup(col, study.clock.now())
        import_package(col, package, with_scheduling=False)
        present = read_deck(col, keys)
        plan = _plan(study, present)
        days = AnkiDays.of(col, study.clock.now(), study.clock.local_tz())
        report.to_anki = push_to_anki(col, study, present, plan, days)
        report.to_terminal = pull_to_terminal(col, study, present, plan, days)
        if schema_version(col) != version:
            raise AnkiSyncError(
                f"{collection}: the schema version changed; restore {report.backup}"
            )
    return report


def _plan(study: Study, present: AnkiDeckView) -> MergePlan:
    log = study.store.load_revlog()
    return plan_merge(
        sorted(present.cards),
        by_card(log),
        present.reviews,
        {entry.id: entry.card_id for entry in log},
    )


def _gone_from_deck(col: object, study: Study, keys: DeckKeys) -> list[str]:
    """Cards the terminal knew that left the deck files but still have a card in Anki."""
    current = set(keys.by_key.values())
    gone = sorted(set(study.store.load_states()) - current)
    if not gone:
        return []
    view = read_deck(col, DeckKeys.of(gone))  # type: ignore[arg-type]
    return sorted(view.cards)
