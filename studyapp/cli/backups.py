"""`studyapp backups [--json]`: the progress backups, newest first (time, reviews, size)."""

from __future__ import annotations

import argparse
import json

from studyapp.backups import backup_dir, describe, list_backups
from studyapp.cli.common import resolve_data_dir
from studyapp.clock import SystemClock


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    infos = [describe(backup) for backup in reversed(list_backups(data_dir))]
    if args.json:
        rows = [
            {
                "name": info.backup.name,
                "path": str(info.backup.path),
                "made": info.backup.made.isoformat(),
                "reviews": info.reviews,
                "size": info.size,
            }
            for info in infos
        ]
        print(json.dumps({"folder": str(backup_dir(data_dir)), "backups": rows}, indent=2))
        return 0
    if not infos:
        print(f"no backups yet in {backup_dir(data_dir)}")
        return 0
    tz = SystemClock().local_tz()
    print(f"{'made (local time)':<20} {'reviews':>8} {'size':>9}  name")
    for info in infos:
        made = info.backup.made.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        reviews = "unreadable" if info.reviews is None else str(info.reviews)
        print(f"{made:<20} {reviews:>8} {_size(info.size):>9}  {info.backup.name}")
    return 0


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"
