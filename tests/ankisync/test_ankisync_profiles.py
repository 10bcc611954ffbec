"""Finding the learner's Anki collection on Linux, macOS and Windows."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from studyapp.ankisync.collection import (
    AnkiSyncError,
    anki_base,
    find_collection,
    names_a_collection,
)


@pytest.mark.parametrize(
    ("platform", "environ", "expected"),
    [
        ("linux", {}, "/home/ada/.local/share/Anki2"),
        ("linux", {"XDG_DATA_HOME": "/data"}, "/data/Anki2"),
        ("darwin", {}, "/home/ada/Library/Application Support/Anki2"),
        (
            "win32",
            {"APPDATA": "C:/Users/ada/AppData/Roaming"},
            "C:/Users/ada/AppData/Roaming/Anki2",
        ),
        ("linux", {"ANKI_BASE": "/portable/anki"}, "/portable/anki"),
    ],
)
def test_anki_data_folder_per_platform(
    platform: str, environ: dict[str, str], expected: str
) -> None:
    assert anki_base(platform, environ, Path("/home/ada")) == Path(expected)


def profile(base: Path, name: str) -> Path:
    (base / name).mkdir(parents=True)
    collection = base / name / "collection.anki2"
    collection.write_bytes(b"")  # only its presence matters here
    return collection


def test_the_only_profile_is_used_and_several_are_named(tmp_path: Path) -> None:
    base = tmp_path / "Anki2"
    (base / "addons21").mkdir(parents=True)  # not a profile: no collection in it
    first = profile(base, "User 1")
    assert find_collection(None, base, None) == first

    second = profile(base, "Work")
    with pytest.raises(AnkiSyncError) as refused:
        find_collection(None, base, None)
    assert str(refused.value) == (
        f"several Anki profiles in {base}: 'User 1', Work; name one, e.g. "
        "`studyapp sync-anki 'User 1'`"
    )
    hint = str(refused.value).split("`")[1]  # typed as shown, a shell gives the name whole
    assert find_collection(shlex.split(hint)[2], base, None) == first
    assert find_collection(None, base, lambda names: names[1]) == second
    assert find_collection("Work", base, None) == second
    assert find_collection(str(base / "Work"), base, None) == second


def test_the_first_argument_is_a_collection_or_a_card_path(tmp_path: Path) -> None:
    base = tmp_path / "Anki2"
    collection = profile(base, "User 1")
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "deck.md").write_text("# Deck\n", encoding="utf-8")
    assert names_a_collection("User 1", base)
    assert names_a_collection(str(collection), base)
    assert names_a_collection(str(collection.parent), base)
    assert not names_a_collection(str(cards), base)
    assert not names_a_collection(str(cards / "deck.md"), base)
