"""`studyapp import-anki FILE [PATH...]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from studyapp.cli.anki import run_action
from studyapp.cli.common import add_paths_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Add the reviews of an Anki export (.colpkg or .apkg, with scheduling) or of a "
        "profile's collection.anki2 to the terminal's review log; cards Anki reviewed last "
        "take Anki's schedule. Cards are matched to the deck files by note GUID and "
        "template; importing the same file again adds nothing."
    )
    parser.add_argument(
        "file", type=Path, metavar="FILE", help=".colpkg, .apkg or collection.anki2"
    )
    add_paths_argument(parser)


def run(args: argparse.Namespace) -> int:
    from studyapp.ankisync.import_export import import_anki

    return run_action(
        "import-anki", args, lambda paths, data: [import_anki(args.file, paths, data)]
    )
