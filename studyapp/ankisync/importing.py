"""`studyapp import-anki FILE`: Anki's reviews of the deck's cards into the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from studyapp.ankisync.anki_side import AnkiDeckView, read_deck
from studyapp.ankisync.clashes import renumbering
from studyapp.ankisync.days import AnkiDays
from studyapp.ankisync.deck import deck_keys, opened_study
from studyapp.ankisync.merge import MergePlan, plan_with_undone
from studyapp.ankisync.sources import opened_source, source_kind
from studyapp.ankisync.transfer import pull_to_terminal
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
