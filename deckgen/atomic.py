"""Atomic file writes, for deckgen and the study app alike.

A reader (or a crash, or a full disk) sees the old file or the new one, never half of
one: the data goes to a temporary file in the same folder, is flushed and fsynced, then
`os.replace` puts it in place and the folder is fsynced so the rename itself is durable.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

DEFAULT_MODE = 0o644  # mkstemp makes 0600; outputs are ordinary files


def write_atomic(path: Path, data: bytes | str, mode: int | None = None) -> None:
    """Replace `path` with `data` (str is written as UTF-8)."""
    replace_with(write_temp(path, data, mode), path)


def write_temp(path: Path, data: bytes | str, mode: int | None = None) -> Path:
    """`data` in a synced temporary file beside `path`, for `replace_with` to put in place
    later (e.g. once another file it belongs with is written)."""
    raw = data.encode() if isinstance(data, str) else data
    with atomic_path(path, mode, replace=False) as temp, temp.open("wb") as handle:
        handle.write(raw)
    return temp


@contextlib.contextmanager
def atomic_path(path: Path, mode: int | None = None, replace: bool = True) -> Iterator[Path]:
    """A temporary path beside `path` for writers that need a file name (zipfile, SQLite).

    When the block ends normally the file is synced and (unless `replace=False`) moved to
    `path`; on an exception it is removed and `path` is untouched. `mode` defaults to an
    existing file's permissions, else 0644.
    """
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o7777
        except OSError:
            mode = DEFAULT_MODE
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        sync_file(temp, mode)
        if replace:
            replace_with(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def sync_file(path: Path, mode: int) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fchmod(fd, mode)
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_with(temp: Path, path: Path) -> None:
    """Move a synced temporary file to `path` and make the rename durable."""
    os.replace(temp, path)
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """fsync a folder so a rename in it survives a crash; not every system allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
