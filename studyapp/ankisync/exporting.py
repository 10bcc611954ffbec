"""`studyapp export-anki OUT.apkg`: the deck with the terminal's progress, for an Anki that
does not have these notes yet (Anki ignores scheduling for notes it already has)."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from deckgen.atomic import atomic_path
from studyapp.ankisync.anki_side import read_deck
from studyapp.ankisync.days import AnkiDays
from studyapp.ankisync.deck import build_deck_package, deck_keys, opened_study
from studyapp.ankisync.errors import AnkiSyncError
from studyapp.ankisync.merge import ids_by_card, plan_merge
from studyapp.ankisync.sources import import_package, scratch_collection
from studyapp.ankisync.transfer import push_to_anki


def export_anki(output: Path, paths: Sequence[Path], data_dir: Path) -> str:
    """Write the package (atomically); the summary line."""
    from anki.collection import ExportAnkiPackageOptions

    if output.is_dir():
        raise AnkiSyncError(f"{output}: is a folder; name the .apkg file to write")
    if not output.parent.is_dir():
        raise AnkiSyncError(f"{output.parent}: no such folder")
    options = ExportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=True, with_media=True, legacy=False
    )
    with (
        opened_study(paths, data_dir) as study,
        tempfile.TemporaryDirectory(prefix="studyapp-anki-") as folder,
    ):
        package = build_deck_package(study)
        with scratch_collection(Path(folder)) as col:
            import_package(col, package, with_scheduling=False)
            view = read_deck(col, deck_keys(study))
            index = study.store.review_index()
            plan = plan_merge(sorted(view.cards), ids_by_card(index), {}, dict(index))
            days = AnkiDays.of(col, study.clock.now(), study.clock.local_tz())
            moved = push_to_anki(col, study, view, plan, days)
            suspended = [
                ref.cid for card_id, ref in view.cards.items() if study.state(card_id).suspended
            ]
            if suspended:  # carried apart from schedules (see card_changes.py)
                col.sched.suspend_cards(suspended)  # type: ignore[arg-type]

            with atomic_path(output) as target:
                col.export_anki_package(out_path=str(target), options=options, limit=None)
    return (
        f"wrote {output}: {len(view.cards)} cards, {moved.cards} with progress, "
        f"{moved.reviews} reviews"
    )
