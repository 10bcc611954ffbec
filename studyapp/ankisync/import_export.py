"""`studyapp import-anki FILE`: Anki's reviews of the deck's cards into the terminal; and
`studyapp export-anki OUT.apkg`: the deck with the terminal's progress, for an Anki that
does not have these notes yet (Anki ignores scheduling for notes it already has)."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from deckgen.atomic import atomic_path
from studyapp.ankisync.anki_format import AnkiDays, AnkiDeckView, read_deck
from studyapp.ankisync.collection import AnkiSyncError
from studyapp.ankisync.deck import (
    build_deck_package,
    deck_keys,
    import_package,
    opened_source,
    opened_study,
    scratch_collection,
    source_kind,
)
from studyapp.ankisync.merge import (
    MergePlan,
    ids_by_card,
    plan_merge,
    plan_with_undone,
    renumbering,
)
from studyapp.ankisync.transfer import pull_to_terminal, push_to_anki
from studyapp.study import Study


def import_anki(source: Path, paths: Sequence[Path], data_dir: Path) -> str:
    """Merge the file's reviews into the terminal's log; the summary line."""
    # The file first: a bad one is refused before the data folder is touched.
    with opened_source(source) as col, opened_study(paths, data_dir) as study:
        view = read_deck(col, deck_keys(study))
        plan = _plan(study, view)
        new_ids = renumbering(col, study.store, plan.clashing)
        if new_ids:
            study.store.renumber_reviews(new_ids)
            plan = _plan(study, view)
        days = AnkiDays.of(col, study.clock.now(), study.clock.local_tz())
        moved = pull_to_terminal(col, study, view, plan, days)
        skipped = view.notes_total - view.notes_matched
    summary = (
        f"imported {_n(moved.reviews, 'review')}, updated {_n(moved.cards, 'card')}; "
        f"skipped {_n(skipped, 'note')} not from these deck files"
    )
    if view.cards and not view.review_ids and source_kind(source) == "package":
        summary += (
            "; the package holds no reviews of these cards (exported without "
            "'Include scheduling information'?)"
        )
    return summary


def _plan(study: Study, view: AnkiDeckView) -> MergePlan:
    return plan_with_undone(
        sorted(view.cards),
        study.store.review_index(),
        view.review_ids,
        study.store.undone_reviews(),
        both_ways=False,
    )


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# export-anki --------------------------------------------------------------------------


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
