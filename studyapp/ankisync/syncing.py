"""`studyapp sync-anki [COLLECTION]`: both ways with a closed Anki collection.

Order: refuse a collection that is open elsewhere, back it up, bring the deck itself in
(Anki's importer with deckgen's package adds the notes Anki lacks; the notes it has take
the course's changes without losing the learner's, see deck.py), then unite the
review logs and move each card's schedule from whichever side reviewed it last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from studyapp.ankisync.anki_format import AnkiDays, AnkiDeckView, DeckKeys, read_deck
from studyapp.ankisync.card_changes import (
    CardChange,
    apply_in_anki,
    apply_in_terminal,
    given_due_dates,
    plan_changes,
    read_facts,
    summary,
)
from studyapp.ankisync.collection import (
    CURRENT_SCHEMA,
    AnkiSyncError,
    backup,
    keep_before_upgrade,
    open_collection,
    schema_on_disk,
    schema_version,
    sync_lock,
)
from studyapp.ankisync.deck import (
    KEPT_TAG,
    NotesPlan,
    apply_changes,
    build_deck_package,
    course_notes,
    deck_digest,
    deck_keys,
    digest,
    import_package,
    last_synced_digest,
    load_record,
    opened_study,
    plan_notes,
    remember_synced_digest,
    save_record,
    stored_notes,
)
from studyapp.ankisync.merge import (
    MergePlan,
    adopt_orphaned_reviews,
    clashing_terminal_ids,
    orphaned_reviews,
    plan_with_undone,
    renumbering,
)
from studyapp.ankisync.preset_parameters import (
    keep_own_parameters,
    parameters_for_anki,
    write_preset_parameters,
)
from studyapp.ankisync.presets import adopted, deck_preset, describe, rollover_hour
from studyapp.ankisync.transfer import (
    Moved,
    incoming_rows,
    pull_to_terminal,
    push_to_anki,
    united_counts,
)
from studyapp.locations import DataFolder
from studyapp.settings import SettingsError
from studyapp.study import Study

if TYPE_CHECKING:
    from anki.collection import Collection

REPORTED_IDS = 5  # stale cards named in the report; the rest are counted


@dataclass
class SyncReport:
    collection: Path
    dry_run: bool
    new_notes: int = 0
    to_anki: Moved = field(default_factory=lambda: Moved(0, 0))
    to_terminal: Moved = field(default_factory=lambda: Moved(0, 0))
    left_alone: list[str] = field(default_factory=list)  # card ids gone from the deck files
    deleted_in_anki: list[str] = field(default_factory=list)  # course notes, by card id
    fsrs: str = ""  # the Anki preset's FSRS settings the terminal took on, if it changed
    day_start: int | None = None  # Anki's rollover hour, when the terminal took it on
    parameters_to_anki: str = ""  # the preset given the terminal's optimized parameters
    backup: Path | None = None
    notes: NotesPlan = field(default_factory=NotesPlan)
    undone: int = 0  # reviews taken back in the terminal, removed from Anki's log
    changes: list[CardChange] = field(default_factory=list)  # suspensions, burials, ...
    old_schema: int | None = None  # an older collection's schema version, upgraded by the sync
    kept_old: Path | None = None  # the older collection as it was, before its upgrade

    def lines(self) -> list[str]:
        verb = "would" if self.dry_run else ""
        lines = [
            f"{self.collection}: {'dry run, nothing written' if self.dry_run else 'synced'}",
            f"  deck: {self.new_notes} new notes {verb + ' be ' if verb else ''}added to Anki",
        ]
        if self.notes.from_course:
            lines.append(
                f"  course changes{' would' if verb else ''} reach "
                f"{_named(self.notes.from_course, 'notes')}"
            )
        if self.notes.kept_edits:
            lines.append(
                f"  changed in Anki and in the course: {_named(self.notes.kept_edits, 'notes')}; "
                f"the course's text {'would go' if verb else 'went'} in, your text "
                f"{'would be' if verb else 'is'} kept under the answer, tagged {KEPT_TAG}"
            )
        if self.notes.edited_unknown:
            lines.append(
                f"  kept as edited in Anki: {_named(self.notes.edited_unknown, 'notes')} that "
                "differ from the card files (never synced before: which side changed them is "
                "not known)"
            )
        if self.notes.other_type:
            lines.append(
                f"  left as they are: {_named(self.notes.other_type, 'notes')} whose note type "
                "was changed in Anki"
            )
        lines += [
            f"  to Anki: {self.to_anki.reviews} reviews, {self.to_anki.cards} card schedules",
            f"  to the terminal: {self.to_terminal.reviews} reviews, "
            f"{self.to_terminal.cards} card schedules",
        ]
        if any(change.to_anki for change in self.changes):
            lines.append(f"  other changes to Anki: {summary(self.changes, to_anki=True)}")
        if any(not change.to_anki for change in self.changes):
            lines.append(f"  other changes to the terminal: {summary(self.changes, to_anki=False)}")
        if self.undone:
            lines.append(
                f"  taken back with undo in the terminal: {self.undone} reviews "
                f"{'would be ' if verb else ''}removed from Anki's log"
            )
        clashes = self.to_anki.clashes + self.to_terminal.clashes
        if clashes:
            lines.append(f"  left out: {clashes} reviews whose time the other side already uses")
        if self.deleted_in_anki:
            lines.append(
                f"  left out: deleted in Anki: {_named(self.deleted_in_anki, 'notes')}; "
                "`--restore-deleted` brings them back"
            )
        if self.left_alone:
            lines.append(
                f"  left alone in Anki: {len(self.left_alone)} cards no longer in the deck "
                f"files {_listed(self.left_alone)}"
            )
        if self.day_start is not None:
            lines.append(
                f"  terminal study days{' would' if self.dry_run else ''} start at "
                f"{self.day_start}:00, as Anki's 'next day starts at'"
            )
        if self.fsrs:
            lines.append(
                f"  terminal scheduling{' would' if self.dry_run else ''} follow {self.fsrs}"
            )
        if self.parameters_to_anki:
            lines.append(f"  {self.parameters_to_anki}")
        if self.old_schema is not None:
            lines.append(
                f"  collection{' would be' if verb else ''} upgraded from schema "
                f"{self.old_schema} to {CURRENT_SCHEMA}, as current Anki does on opening it (an "
                "Anki that writes the old schema cannot open it any more)"
                + (f"; as it was: {self.kept_old}" if self.kept_old else " after a backup")
            )
        if self.backup is not None:
            lines.append(f"  backup: {self.backup}")
        return lines


def _named(card_ids: Sequence[str], noun: str) -> str:
    """`3 notes (a, b, c)`."""
    return f"{len(card_ids)} {noun} {_listed(card_ids)}"


def _listed(card_ids: Sequence[str]) -> str:
    """`(a, b, c, and 2 more)`: the first REPORTED_IDS named, the rest counted."""
    named = ", ".join(card_ids[:REPORTED_IDS])
    more = len(card_ids) - REPORTED_IDS
    return f"({named}{f', and {more} more' if more > 0 else ''})"


def sync_anki(
    collection: Path,
    paths: Sequence[Path],
    data_dir: Path,
    dry_run: bool = False,
    restore_deleted: bool = False,
    write_parameters: bool = False,
) -> SyncReport:
    """`restore_deleted`: bring back the course's notes the learner deleted in Anki;
    `write_parameters`: give the Anki preset the terminal's optimized FSRS parameters."""
    with sync_lock(collection):
        return _sync(collection, paths, data_dir, dry_run, restore_deleted, write_parameters)


def _sync(
    collection: Path,
    paths: Sequence[Path],
    data_dir: Path,
    dry_run: bool,
    restore_deleted: bool,
    write_parameters: bool = False,
) -> SyncReport:
    report = SyncReport(collection, dry_run)
    report.old_schema = _old_schema(collection)
    if report.old_schema and not dry_run:  # the library upgrades it as it opens it
        report.kept_old = keep_before_upgrade(collection, report.old_schema, datetime.now(UTC))
    # The collection first: one Anki has open is refused before anything is written.
    with (
        open_collection(collection, read_only=dry_run) as col,
        opened_study(paths, data_dir) as study,
    ):
        keys = deck_keys(study)
        version = schema_version(col)
        present = read_deck(col, keys)
        record_file = DataFolder(study.data_dir).anki_course_notes
        record = load_record(record_file, collection)
        # Notes this collection had from an earlier sync and has no more: deleted in Anki.
        deleted = set() if restore_deleted else (keys.guids & record.keys()) - present.guids_present
        report.deleted_in_anki = sorted(keys.note_card_id(guid) for guid in deleted)
        new_guids = keys.guids - present.guids_present - deleted
        report.new_notes = len(new_guids)
        report.left_alone = _gone_from_deck(col, study, keys)
        digest_now = deck_digest(study)
        # The deck as last brought in, and every note still there: importing it again
        # would find nothing to add or update, so the (slow) build is skipped.
        deck_current = not report.new_notes and last_synced_digest(study, collection) == digest_now
        # Built before anything is written: deckgen may still refuse the deck (media).
        package = None if deck_current else build_deck_package(study)
        if package is not None:
            known = keys.guids & present.guids_present
            report.notes = plan_notes(
                keys,
                stored_notes(col, known),
                course_notes(package, known),
                record,
                study.clock.now().astimezone(study.clock.local_tz()).date(),
            )
        plan = _plan(study, present)
        preset = deck_preset(col, present)
        settings = adopted(study.settings, preset) if preset else study.settings
        parameters, report.parameters_to_anki = parameters_for_anki(
            study.settings, preset, write_parameters, dry_run
        )
        if parameters:  # the terminal's own stay; Anki's preset takes them below
            settings = keep_own_parameters(settings, study.settings)
        if settings != study.settings and preset is not None:
            report.fsrs = describe(preset, settings)
        rollover = rollover_hour(col)  # so a card is due on the same day on both sides
        if settings.day_start_hour != rollover:
            settings = replace(settings, day_start_hour=rollover)
            report.day_start = rollover
        days = AnkiDays.of(col, study.clock.now(), study.clock.local_tz())
        report.changes = plan_changes(
            read_facts(col, present),
            study.states,
            study.store.change_times(),
            plan,
            days,
            study.clock.now(),
        )
        _take_due_dates(plan, report.changes)
        if dry_run:  # planned as the run plans it, on what the run would have written by then
            incoming = _incoming(keys, new_guids)  # the deck's import brings them in
            orphans = orphaned_reviews(col, study.store, incoming)
            plan = _plan(study, present, incoming, orphans)
            new_ids = renumbering(col, study.store, clashing_terminal_ids(col, plan))
            if new_ids:
                plan = _plan(study, present, incoming, orphans, new_ids)
                _take_due_dates(plan, report.changes)
            report.to_anki = Moved(len(plan.to_anki), len(plan.schedule_from_terminal))
            report.to_terminal = Moved(len(plan.to_terminal), len(plan.schedule_from_anki))
            report.undone = len(plan.undone_in_anki)
            return report
        if settings != study.settings:  # the terminal's own file, before Anki is touched
            try:
                study.update_settings(settings)
            except SettingsError as exc:
                raise AnkiSyncError(f"{exc} (nothing written to Anki)") from None
        if package is None and plan.changes_nothing and not parameters and not report.changes:
            return report  # nothing to write in Anki, so no backup either
        report.backup = backup(col, study.clock.now(), study.clock.local_tz())
        if parameters and preset is not None:
            write_preset_parameters(col, preset.deck_id, study.settings.fsrs_parameters)
        if package is not None:
            import_package(col, package, with_scheduling=False, add_only=True)
            if deleted:  # the importer adds every note Anki lacks: those go again
                again = read_deck(col, DeckKeys.of(_card_ids(keys, deleted)))
                col.remove_notes(_note_ids(again))  # type: ignore[arg-type]
            apply_changes(col, report.notes.changes)
            if report.new_notes:  # their cards are new to the merge
                present = read_deck(col, keys)
                orphans = orphaned_reviews(col, study.store, _incoming(keys, new_guids))
                if orphans:
                    adopt_orphaned_reviews(col, orphans, present)
                    present = read_deck(col, keys)
                plan = _plan(study, present)
            added = stored_notes(col, new_guids)
            record = {**report.notes.record, **{g: digest(n.fields) for g, n in added.items()}}
            save_record(record_file, collection, record)
        new_ids = renumbering(col, study.store, clashing_terminal_ids(col, plan))
        if new_ids:
            study.store.renumber_reviews(new_ids)
            plan = _plan(study, present)
        _take_due_dates(plan, report.changes)  # the plan may have been made again since
        report.undone = len(plan.undone_in_anki)
        moving = incoming_rows(col, plan)
        counts = united_counts(study, plan, moving)
        report.to_anki = push_to_anki(col, study, present, plan, days, counts)
        report.to_terminal = pull_to_terminal(col, study, present, plan, days, counts, moving)
        apply_in_anki(col, present, report.changes)
        apply_in_terminal(study.store, report.changes, days)
        if schema_version(col) != version:
            raise AnkiSyncError(
                f"{collection}: the schema version changed; restore {report.backup}"
            )
        remember_synced_digest(study, collection, digest_now)
    return report


def _take_due_dates(plan: MergePlan, changes: Sequence[CardChange]) -> None:
    """Cards Anki gave a due date take Anki's schedule, as if Anki had reviewed them last."""
    for card_id in given_due_dates(changes):
        if card_id not in plan.schedule_from_anki:
            plan.schedule_from_anki.append(card_id)


def _old_schema(collection: Path) -> int | None:
    version = schema_on_disk(collection)
    return version if version < CURRENT_SCHEMA else None


def _plan(
    study: Study,
    present: AnkiDeckView,
    also: Sequence[str] = (),
    orphans: Mapping[int, str] | None = None,
    new_ids: Mapping[int, int] | None = None,
) -> MergePlan:
    """The merge plan. For a dry run, what the run would have written before planning:
    `also`, cards the deck's import adds (no reviews in Anki but `orphans`, which it gives
    back to them), and `new_ids`, the terminal's clashing reviews renumbered."""
    pairs = study.store.review_index()
    if new_ids:
        pairs = sorted((new_ids.get(review_id, review_id), card_id) for review_id, card_id in pairs)
    anki = dict(present.review_ids)
    for review_id, card_id in sorted((orphans or {}).items()):
        anki[card_id] = sorted([*anki.get(card_id, []), review_id])
    cards = sorted({*present.cards, *also})
    return plan_with_undone(cards, pairs, anki, study.store.undone_reviews())


def _incoming(keys: DeckKeys, guids: set[str]) -> list[str]:
    """The cards of these notes, which the deck's import adds to Anki."""
    return _card_ids(keys, guids)


def _card_ids(keys: DeckKeys, guids: set[str]) -> list[str]:
    return [card_id for (guid, _), card_id in keys.by_key.items() if guid in guids]


def _note_ids(view: AnkiDeckView) -> list[int]:
    return sorted({ref.nid for ref in view.cards.values()})


def _gone_from_deck(col: Collection, study: Study, keys: DeckKeys) -> list[str]:
    """Cards the terminal knew that left the deck files but still have a card in Anki."""
    gone = sorted(study.store.card_ids() - set(keys.by_key.values()))
    if not gone:
        return []
    return sorted(read_deck(col, DeckKeys.of(gone)).cards)
