"""Syncing by itself, as Anki does: at the app's start and quit, with the collection synced
before (when Anki is closed; one line saying so when it is open), unless the setting
`anki_sync_by_itself` is off; and, before the first review, the offer of a first sync
with an Anki profile that holds the deck but was never synced (its months of reviews
would otherwise meet cards the terminal thinks new).

Plain Python: the app calls these before it opens and after it closes (a sync writes the
same store and settings the open app holds).
"""

from __future__ import annotations

import contextlib
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from studyapp.ankisync.anki_format import read_deck
from studyapp.ankisync.collection import AnkiSyncError, anki_base, open_collection, profiles
from studyapp.ankisync.deck import (
    deck_keys,
    opened_study,
    per_collection,
    remember_per_collection,
)
from studyapp.backups import BackupError, backup_if_changed, progress_fingerprint
from studyapp.clock import SystemClock
from studyapp.locations import DataFolder
from studyapp.settings import SettingsError, load_settings

Ask = Callable[[str], bool]  # a yes/no question to the learner


def synced_collections(data_dir: Path) -> list[Path]:
    """The collections this data folder synced with that are still there, the most
    recently changed first."""
    found = [Path(name) for name in per_collection(DataFolder(data_dir).anki_synced)]
    existing = [path for path in found if path.is_file()]
    return sorted(existing, key=lambda path: path.stat().st_mtime, reverse=True)


def sync_by_itself(paths: Sequence[Path], data_dir: Path) -> str | None:
    """Sync with the collection synced before; one line about it, or None when there is
    none, the setting is off or the `anki` library is missing."""
    if not _wanted(data_dir):
        return None
    collections = synced_collections(data_dir)
    if not collections or not _has_anki_library():
        return None
    return _sync_line(collections[0], paths, data_dir)


def offer_first_sync(paths: Sequence[Path], data_dir: Path, ask: Ask | None) -> str | None:
    """Before the first review: an Anki profile holding reviews of the deck, never synced
    with, is offered a first sync (`ask`; without one, the command is named instead)."""
    if not _wanted(data_dir) or synced_collections(data_dir):
        return None
    looked = _Looked(DataFolder(data_dir).anki_offers)
    found = _profile_with_deck(paths, data_dir, looked)
    if found is None:
        return None
    name, collection, reviewed = found
    question = (
        f"Anki profile {shlex.quote(name)} has reviews of {reviewed} cards of this deck; sync "
        "with it before you study, so they are not taken for new"
    )
    if ask is None:
        return f"{question}: studyapp sync-anki {shlex.quote(name)}"
    if not ask(question + "?"):
        looked.declined(collection)
        return f"not synced; when you want to: studyapp sync-anki {shlex.quote(name)}"
    return _sync_line(collection, paths, data_dir)


class _Looked:
    """The profiles looked at before: declined (never asked again), or without the deck
    as of the collection's modification time (looked at again once Anki changed it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.known: dict[str, object] = per_collection(path)

    def skip(self, collection: Path) -> bool:
        seen = self.known.get(str(collection.resolve()))
        return seen == "declined" or seen == _mtime(collection)

    def declined(self, collection: Path) -> None:
        self._note(collection, "declined")

    def without_deck(self, collection: Path) -> None:
        self._note(collection, _mtime(collection))

    def _note(self, collection: Path, value: object) -> None:
        self.known[str(collection.resolve())] = value
        with contextlib.suppress(OSError):  # only spares a look next time
            remember_per_collection(self.path, collection, value, indent=2)


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def ask_on_terminal(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    try:
        answer = input(f"{question} [Y/n] ").strip().lower()
    except EOFError:
        return False
    return answer in ("", "y", "yes")


def _wanted(data_dir: Path) -> bool:
    try:
        return load_settings(data_dir).anki_sync_by_itself
    except SettingsError:
        return False  # the app says what is wrong with the file


def _has_anki_library() -> bool:
    try:
        import anki.collection  # noqa: F401 - only to know the library is installed
    except ImportError:
        return False
    return True


def _sync_line(collection: Path, paths: Sequence[Path], data_dir: Path) -> str:
    from studyapp.ankisync.syncing import sync_anki

    before = progress_fingerprint(data_dir)
    try:
        report = sync_anki(collection, paths, data_dir)
    except AnkiSyncError as exc:
        if "Anki has this collection open" in str(exc):
            return "Anki is open: studying offline, will sync later"
        if "another studyapp sync" in str(exc):
            return "another sync is running: studying offline, will sync later"
        return f"not synced with Anki: {exc}"
    try:
        backup_if_changed(data_dir, SystemClock(), before)
    except BackupError as exc:
        return f"synced with Anki, but: {exc}"
    return (
        f"synced with Anki ({collection}): {report.to_anki.reviews} reviews to Anki, "
        f"{report.to_terminal.reviews} to the terminal"
    )


def _profile_with_deck(
    paths: Sequence[Path], data_dir: Path, looked: _Looked
) -> tuple[str, Path, int] | None:
    """(profile name, collection, cards reviewed there) of the first profile whose
    collection has reviewed cards of the deck; read without a change, skipped when open."""
    found = {name: path for name, path in profiles(anki_base()).items() if not looked.skip(path)}
    if not found or not _has_anki_library():
        return None

    try:
        with opened_study(paths, data_dir) as study:
            keys = deck_keys(study)
    except AnkiSyncError:
        return None
    for name, collection in found.items():
        try:
            with open_collection(collection, read_only=True) as col:
                reviewed = len(read_deck(col, keys).review_ids)
        except AnkiSyncError:
            continue  # open in Anki, damaged...: nothing to offer from it
        if reviewed:
            return name, collection, reviewed
        looked.without_deck(collection)
    return None
