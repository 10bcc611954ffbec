"""`studyapp sync-anki [COLLECTION] [PATH...] [--dry-run]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from studyapp.cli.anki import MERGE_RULE, run_action
from studyapp.cli.common import add_paths_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Close Anki first. Brings the deck into Anki (new notes added, the course's changes "
        "made; your own edits, tags and card styles there kept), then syncs reviews, "
        "schedules, suspensions, burials, Forget and Set Due Date both ways. "
        + MERGE_RULE
        + " The collection is backed up beside it first (celery-srs-backups/)."
    )
    parser.add_argument(
        "collection",
        nargs="?",
        default=None,
        metavar="COLLECTION",
        help="collection.anki2, a profile folder or a profile name "
        "(default: the only profile in Anki's data folder)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print what would change")
    parser.add_argument(
        "--restore-deleted",
        action="store_true",
        help="bring back the course's notes you deleted in Anki (left out otherwise)",
    )
    parser.add_argument(
        "--write-fsrs-parameters",
        action="store_true",
        help="give the Anki deck preset the FSRS parameters `studyapp optimize` fitted here "
        "(otherwise the terminal takes the preset's)",
    )
    add_paths_argument(parser)


def run(args: argparse.Namespace) -> int:
    from studyapp.ankisync.collection import (
        anki_base,
        ask_on_terminal,
        find_collection,
        names_a_collection,
    )
    from studyapp.ankisync.syncing import sync_anki

    base = anki_base()
    if args.collection is not None and not names_a_collection(args.collection, base):
        args.paths.insert(0, Path(args.collection))  # `sync-anki cards/`: no COLLECTION
        args.collection = None

    def sync(paths: list[Path], data_dir: Path) -> list[str]:
        collection = find_collection(args.collection, base, ask_on_terminal)
        return sync_anki(
            collection,
            paths,
            data_dir,
            args.dry_run,
            args.restore_deleted,
            args.write_fsrs_parameters,
        ).lines()

    return run_action("sync-anki", args, sync)
