"""What import-anki, sync-anki and export-anki share: the merge rule's wording, one way to run.

Each failure is one line on stderr and exit status 1, with nothing written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from studyapp.ankisync.collection import AnkiSyncError
from studyapp.backups import BackupError, backup_if_changed, progress_fingerprint
from studyapp.cli.common import EXIT_BAD_INPUT, card_paths, fail
from studyapp.clock import SystemClock
from studyapp.locations import DataFolder

ANKI_KEEPS_ITS_SCHEDULE = (
    "Anki ignores the scheduling in a package for notes it already has: for a deck that "
    "is in Anki already, use `studyapp sync-anki`."
)
MERGE_RULE = (
    "The two review logs are united (a review is never added twice, so a repeat sync "
    "changes nothing); each card's schedule comes from whichever side reviewed it last."
)

Action = Callable[[list[Path], Path], list[str]]  # (card paths, data folder) -> output lines


def run_action(command: str, args: argparse.Namespace, action: Action) -> int:
    try:
        import anki.collection  # noqa: F401 - only to know the library is installed
    except ImportError:
        return fail(
            f"studyapp {command}: needs the official `anki` library: pip install 'celery-srs[anki]'"
        )
    paths = card_paths(args.paths)
    if paths is None:
        return EXIT_BAD_INPUT
    folder = DataFolder.chosen(args.data_dir)
    data_dir = folder.root
    before = progress_fingerprint(data_dir)
    try:
        lines = action(paths, data_dir)
    except AnkiSyncError as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"{exc.filename or 'studyapp ' + command}: {exc.strerror or exc}")
    print("\n".join([*lines, f"progress: {folder.describe()}"]), file=sys.stdout)
    try:  # progress changed: a backup of it (at most one an hour, see studyapp.backups)
        backup_if_changed(data_dir, SystemClock(), before)
    except BackupError as exc:
        print(f"studyapp {command}: {exc}", file=sys.stderr)
    return 0
