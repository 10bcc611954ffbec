"""`studyapp export-anki`: a fresh Anki gets the terminal's whole history."""

from __future__ import annotations

from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki_support import card_by_key, deck_reviews, key_of, studyapp, write_deck
from terminal_support import study_in_terminal

from studyapp.ankisync.anki_format import AnkiDays
from studyapp.clock import system_local_tz
from studyapp.records import Phase
from studyapp.study import Study


def test_export_into_a_fresh_collection_gives_the_same_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cards = write_deck(tmp_path / "cards").parent
    data = tmp_path / "data"
    study_in_terminal(cards, data, (4, 3, 1, 2, 4, 3, 3))
    out_file = tmp_path / "progress.apkg"

    status, out, err = studyapp(capsys, "export-anki", "--data-dir", data, out_file, cards)

    assert (status, err) == (0, "")
    assert out.startswith(f"wrote {out_file}: 7 cards")
    (tmp_path / "fresh").mkdir()
    col = Collection(str(tmp_path / "fresh" / "collection.anki2"))
    study = Study.open([cards], data)
    try:
        request = ImportAnkiPackageRequest(
            package_path=str(out_file), options=ImportAnkiPackageOptions(with_scheduling=True)
        )
        assert len(col.import_anki_package(request).log.new) == 6
        expected = {
            (entry.id, *key_of(entry.card_id), entry.rating) for entry in study.store.load_revlog()
        }
        assert len(expected) == 7
        assert {(r.id, r.guid, r.ordinal, r.ease) for r in deck_reviews(col)} == expected
        days = AnkiDays.of(col, study.clock.now(), system_local_tz())
        for card in study.cards:
            state = study.state(card.id)
            anki_card = card_by_key(col, *key_of(card.id))
            assert anki_card.reps == state.reps
            if state.phase is Phase.NEW:
                assert anki_card.type == 0
                continue
            assert state.due is not None and anki_card.memory_state is not None
            assert anki_card.memory_state.stability == pytest.approx(state.stability, rel=0.01)
            assert anki_card.memory_state.difficulty == pytest.approx(state.difficulty, rel=0.01)
            if state.phase is Phase.REVIEW:
                assert anki_card.due == days.day_number(state.due)
            else:
                assert anki_card.due == int(state.due.timestamp())
        assert col.db.scalar("pragma integrity_check") == "ok"
    finally:
        study.close()
        col.close()
