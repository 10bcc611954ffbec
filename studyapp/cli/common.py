"""What every `studyapp` command shares: the one-line parser, global options, exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from studyapp.locations import DATA_DIR_ENV, DataFolder, default_card_paths

if TYPE_CHECKING:
    from deckgen.cardformat.load import CardSet

EXIT_BAD_INPUT = 1
EXIT_USAGE = 2

# Global options that take a value: the command line is scanned for the subcommand's name
# before parsing, and the value of one of these is never a subcommand's name.
GLOBAL_OPTIONS_WITH_VALUE = ("--data-dir",)


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line (exit 2) instead of usage + message."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def add_global_arguments(parser: argparse.ArgumentParser) -> None:
    """Options accepted before or after any subcommand (and by the bare `studyapp`)."""
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"folder for progress, settings and trusted files (default: ${DATA_DIR_ENV} "
        "or the user data folder)",
    )


def add_paths_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[],  # also keeps it out of "the following arguments are required"
        metavar="PATH",
        help="card files or folders (default: the course, the checkout's cards/ or its "
        "installed copy)",
    )


def card_paths(given: list[Path]) -> list[Path] | None:
    """The paths to read cards from; None (each missing one reported) when one is missing."""
    paths = given or default_card_paths()
    missing = [path for path in paths if not path.exists()]
    for path in missing:
        print(f"{path}: no such file or folder", file=sys.stderr)
    return None if missing else paths


def resolve_data_dir(data_dir: Path | None) -> Path:
    """The folder `--data-dir` named, else the default one: the only place that picks it."""
    return DataFolder.chosen(data_dir).root


def fail(message: str) -> int:
    print(message, file=sys.stderr, flush=True)
    return EXIT_BAD_INPUT


def load_cards(paths: Sequence[Path]) -> CardSet | None:
    """Parse card files; print each problem as `path:line: message` and return None."""
    from deckgen.cardformat.load import load

    result = load(list(paths) or default_card_paths())
    for problem in result.errors:
        print(problem, file=sys.stderr, flush=True)
    return result if result.ok else None
