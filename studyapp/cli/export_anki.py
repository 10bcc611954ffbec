"""`studyapp export-anki OUT.apkg [PATH...]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from studyapp.cli.anki import ANKI_KEEPS_ITS_SCHEDULE, run_action
from studyapp.cli.common import add_paths_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Write the deck with the terminal's card schedules, FSRS memory states and review "
        "log, for an Anki that does not have these notes yet. " + ANKI_KEEPS_ITS_SCHEDULE
    )
    parser.add_argument("output", type=Path, metavar="OUT.apkg", help="the package to write")
    add_paths_argument(parser)


def run(args: argparse.Namespace) -> int:
    from studyapp.ankisync.import_export import export_anki

    return run_action(
        "export-anki", args, lambda paths, data: [export_anki(args.output, paths, data)]
    )
