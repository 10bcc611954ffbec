"""Finding the learner's Anki collection: Anki's data folder on Linux, macOS and Windows,
and the profile folders in it (each holds a `collection.anki2`)."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from studyapp.ankisync.errors import AnkiSyncError

COLLECTION_FILE = "collection.anki2"
BASE_ENV = "ANKI_BASE"  # Anki's own override of its data folder


def anki_base(
    platform: str = sys.platform,
    environ: Mapping[str, str] = os.environ,
    home: Path | None = None,
) -> Path:
    if environ.get(BASE_ENV):
        return Path(environ[BASE_ENV]).expanduser()
    home = home or Path.home()
    if platform.startswith("win"):
        return Path(environ.get("APPDATA", home / "AppData" / "Roaming")) / "Anki2"
    if platform == "darwin":
        return home / "Library" / "Application Support" / "Anki2"
    data_home = environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    return Path(data_home) / "Anki2"


def profiles(base: Path) -> dict[str, Path]:
    """Profile name -> its collection file, for every profile folder in `base`."""
    if not base.is_dir():
        return {}
    found = {}
    for folder in sorted(base.iterdir()):
        collection = folder / COLLECTION_FILE
        if folder.is_dir() and collection.is_file():
            found[folder.name] = collection
    return found


def names_a_collection(given: str, base: Path) -> bool:
    """Whether `sync-anki`'s first argument is its COLLECTION rather than a card PATH:
    a collection file, a profile folder or a profile's name."""
    path = Path(given).expanduser()
    if path.is_dir():
        return (path / COLLECTION_FILE).is_file()
    if path.exists():
        return path.suffix != ".md"
    return given in profiles(base) or path.suffix in (".anki2", ".anki21")


def find_collection(
    given: str | None, base: Path, ask: Callable[[list[str]], str | None] | None
) -> Path:
    """`given` may be a collection file, a profile folder or a profile's name; with none,
    the only profile, or the one `ask` picks when there are several."""
    if given:
        path = Path(given).expanduser()
        if path.is_dir():
            path = path / COLLECTION_FILE
        if path.exists():
            return path
        named = profiles(base).get(given)
        if named is not None:
            return named
        known = ", ".join(map(shlex.quote, profiles(base))) or "none"
        raise AnkiSyncError(
            f"{shlex.quote(given)}: no such Anki collection or profile (profiles in {base}: "
            f"{known})"
        )
    found = profiles(base)
    if not found:
        raise AnkiSyncError(
            f"no Anki profile found in {base}; name the collection file (collection.anki2)"
        )
    if len(found) == 1:
        return next(iter(found.values()))
    names = list(found)
    choice = ask(names) if ask is not None else None
    if choice in found:
        return found[choice]
    raise AnkiSyncError(
        f"several Anki profiles in {base}: {', '.join(map(shlex.quote, names))}; name one, "
        f"e.g. `studyapp sync-anki {shlex.quote(names[0])}`"
    )


def ask_on_terminal(names: list[str]) -> str | None:
    """Let the learner pick a profile when a person is at the terminal."""
    if not sys.stdin.isatty():
        return None
    for number, name in enumerate(names, start=1):
        print(f"  {number}. {name}", file=sys.stderr)
    try:
        answer = input("Which Anki profile? ").strip()
    except EOFError:
        return None
    if answer.isdigit() and 1 <= int(answer) <= len(names):
        return names[int(answer) - 1]
    return answer or None
