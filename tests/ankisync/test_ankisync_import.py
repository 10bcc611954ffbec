"""`studyapp import-anki`: Anki's reviews come into the terminal, exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
from anki.collection import Collection
from anki_support import (
    StudiedAnki,
    answer,
    copy_collection,
    import_deck,
    key_of,
    new_profile,
    studyapp,
)

from studyapp.records import Phase
from studyapp.study import Study


def terminal_reviews(study: Study) -> set[tuple[int, str, int, int]]:
    """(review id, GUID, template, rating) of every review in the terminal's log."""
    return {(entry.id, *key_of(entry.card_id), entry.rating) for entry in study.store.load_revlog()}


@pytest.mark.parametrize("source", ["apkg", "apkg-legacy", "colpkg", "collection"])
def test_import_brings_exactly_ankis_reviews_once(
    studied_anki: StudiedAnki, tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    if source == "collection":
        path = copy_collection(studied_anki.collection, tmp_path / "profile")
    else:
        path = studied_anki.exports[source]
    data = tmp_path / "data"
    expected = {(r.id, r.guid, r.ordinal, r.ease) for r in studied_anki.reviews}

    status, out, err = studyapp(capsys, "import-anki", path, "--data-dir", data, studied_anki.cards)

    assert (status, err) == (0, "")
    assert out.startswith(f"imported {len(expected)} reviews")
    assert "skipped 1 note not from these deck files" in out
    assert out.endswith(f"\nprogress: {data}\n")  # which data folder took the reviews
    study = Study.open([studied_anki.cards], data)
    try:
        assert terminal_reviews(study) == expected
        reviewed = {card.id for card in study.cards if study.state(card.id).reps}
        assert reviewed, "no card took Anki's schedule"
        for card_id in reviewed:
            state = study.state(card_id)
            assert state.phase is not Phase.NEW and state.due is not None
            assert state.stability and state.difficulty
        lapsed = [card.id for card in study.cards if study.state(card.id).lapses]
        assert len(lapsed) == 1 and study.state(lapsed[0]).phase is Phase.RELEARNING
    finally:
        study.close()

    status, out, _ = studyapp(capsys, "import-anki", path, "--data-dir", data, studied_anki.cards)
    assert status == 0 and out.startswith("imported 0 reviews, updated 0 cards")


def newer_schema_collection(folder: Path) -> Path:
    """A collection as a future Anki might leave it: a schema version beyond the library's."""
    folder.mkdir()
    path = folder / "collection.anki2"
    col = Collection(str(path))
    col.db.execute("update col set ver = 99")
    col.close()
    return path


@pytest.mark.parametrize("kind", ["not a package", "truncated", "newer schema"])
def test_bad_input_is_one_line_and_writes_nothing(
    studied_anki: StudiedAnki, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    if kind == "not a package":
        path = studied_anki.cards / "sync.md"
        message = "not an Anki package (.apkg, .colpkg) or collection, or it is truncated"
    elif kind == "truncated":
        whole = studied_anki.exports["apkg"].read_bytes()
        path = tmp_path / "cut.apkg"
        path.write_bytes(whole[: len(whole) // 2])
        message = "not an Anki package (.apkg, .colpkg) or collection, or it is truncated"
    else:
        path = newer_schema_collection(tmp_path / "future")
        message = "made by a newer Anki than this library reads"
    data = tmp_path / "data"
    before = path.read_bytes()

    status, out, err = studyapp(capsys, "import-anki", path, "--data-dir", data, studied_anki.cards)

    assert (status, out) == (1, "")
    assert err == f"{path}: {message}" + err.split(message, 1)[1]
    assert err.count("\n") == 1 and "Traceback" not in err
    assert path.read_bytes() == before
    assert (
        not (data / "progress.sqlite3").exists()
        or not Study.open([studied_anki.cards], data).store.load_revlog()
    )


def test_a_collection_anki_has_open_is_refused(
    studied_anki: StudiedAnki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copy_collection(studied_anki.collection, tmp_path / "profile")
    data = tmp_path / "data"
    held = Collection(str(path))  # as Anki desktop holds its profile's collection
    try:
        status, out, err = studyapp(
            capsys, "import-anki", path, "--data-dir", data, studied_anki.cards
        )
    finally:
        held.close()
    assert (status, out) == (1, "")
    assert (
        err
        == f"{path}: Anki has this collection open; close Anki and try again (nothing written)\n"
    )
    assert not data.exists()


def test_cards_anki_scheduled_without_fsrs_get_fsrs_memory_from_their_log(
    studied_anki: StudiedAnki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = new_profile(tmp_path / "Anki2")
    col = Collection(str(path))
    try:
        import_deck(col, studied_anki.cards / "sync.md", tmp_path)
        answer(col, "Sync Basics", (3, 4, 1))  # Anki's SM-2: FSRS was never turned on
    finally:
        col.close()
    data = tmp_path / "data"

    status, out, _ = studyapp(capsys, "import-anki", path, "--data-dir", data, studied_anki.cards)

    assert status == 0 and out.startswith("imported 3 reviews, updated 3 cards")
    study = Study.open([studied_anki.cards], data)
    try:
        reviewed = [study.state(card.id) for card in study.cards if study.state(card.id).reps]
        # FSRS-6's first Again, Good and Easy, as Anki computes them from each card's log.
        stabilities = sorted(state.stability or 0 for state in reviewed)
        assert stabilities == pytest.approx([0.212, 2.3065, 8.2956], rel=0.01)
        assert all(state.difficulty for state in reviewed)
    finally:
        study.close()
