"""`studyapp restore [BACKUP]`: put a progress backup back; the current database is kept aside."""

from __future__ import annotations

import argparse

from studyapp.backups import BackupError, describe, find_backup, restore
from studyapp.cli.common import fail, resolve_data_dir
from studyapp.clock import SystemClock


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "backup",
        nargs="?",
        default=None,
        metavar="BACKUP",
        help="a backup's file name from `studyapp backups` (default: the newest)",
    )


def run(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    try:
        backup = find_backup(data_dir, args.backup)
        done = restore(data_dir, backup, SystemClock().now())
    except BackupError as exc:
        return fail(f"studyapp restore: {exc}")
    reviews = describe(backup).reviews
    print(f"restored {backup.name} ({reviews} reviews) into {data_dir}")
    for path in done.moved_aside:
        print(f"the previous file is kept as {path}")
    return 0
