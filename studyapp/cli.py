"""`studyapp` command line: the terminal app by default, plus one subcommand per module.

`studyapp [--data-dir DIR] [PATH...]` opens the app; `studyapp COMMAND ...` runs a
subcommand listed in `COMMANDS`. To add one, write a module with `add_arguments(parser)` and
`run(args) -> int` and add a line to `COMMANDS`. Only the module of the command being run is
imported, so the app starts without loading the others.

Options and positionals may come in any order (`studyapp run ID --yes cards/`). Every failure
is one line on stderr and a non-zero exit (1 for bad input or data, 2 for bad usage), never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from deckgen.version import add_version_argument
from studyapp.cli_common import (
    GLOBAL_OPTIONS_WITH_VALUE,
    OneLineParser,
    add_global_arguments,
    add_paths_argument,
    fail,
)


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    module: str  # exposes add_arguments(parser) and run(args) -> int


# The bare `studyapp`: the terminal app.
REVIEW = Command("", "review the cards in the terminal app", "studyapp.review_cli")

COMMANDS: tuple[Command, ...] = (
    Command("stats", "print review statistics (--json for scripts)", "studyapp.stats_cli"),
    Command("run", "run one card's command in the demo project", "studyapp.runner.run_cli"),
    Command(
        "verify", "run every card's command and check its Expect", "studyapp.runner.verify_cli"
    ),
    Command("backups", "list the progress backups (time, reviews, size)", "studyapp.backups_cli"),
    Command(
        "restore", "put a progress backup back (the newest by default)", "studyapp.restore_cli"
    ),
    Command(
        "import-anki",
        "bring reviews from an Anki export or collection",
        "studyapp.ankisync.import_cli",
    ),
    Command(
        "sync-anki",
        "sync progress both ways with a closed Anki",
        "studyapp.ankisync.sync_cli",
    ),
    Command(
        "export-anki",
        "write an .apkg with progress (Anki new to the deck)",
        "studyapp.ankisync.export_cli",
    ),
)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return dispatch(args, COMMANDS)
    except KeyboardInterrupt:
        return 130


def dispatch(args: list[str], commands: Sequence[Command]) -> int:
    """Parse `args` with the parser of the command they name (the app when none) and run it."""
    found = find_command(args, commands)
    if found is None:
        if _asks_for_help(args):
            build_parser(commands).print_help()
            return 0
        command, rest = REVIEW, args
        parser: argparse.ArgumentParser = OneLineParser(prog="studyapp", description=REVIEW.summary)
        add_version_argument(parser)
    else:
        index, command = found
        rest = args[:index] + args[index + 1 :]
        parser = OneLineParser(prog=f"studyapp {command.name}", description=command.summary)
    try:
        module = importlib.import_module(command.module)
        add_arguments: Callable[[argparse.ArgumentParser], None] = module.add_arguments
        run: Callable[[argparse.Namespace], int] = module.run
    except (ImportError, AttributeError) as exc:
        name = f"studyapp {command.name}".strip()
        return fail(f"{name}: not available in this installation ({exc})")
    add_global_arguments(parser)
    add_arguments(parser)
    return run(parser.parse_intermixed_args(rest))


def find_command(args: Sequence[str], commands: Sequence[Command]) -> tuple[int, Command] | None:
    """The index and entry of the subcommand named in `args`: the first word that is neither
    an option nor a global option's value, when it names one; None for the bare app."""
    by_name = {command.name: command for command in commands}
    skip_next = False
    for index, arg in enumerate(args):
        if skip_next:
            skip_next = False
        elif arg == "--":
            return None
        elif arg.startswith("-"):
            skip_next = arg in GLOBAL_OPTIONS_WITH_VALUE
        else:
            command = by_name.get(arg)
            return None if command is None else (index, command)
    return None


def _asks_for_help(args: Sequence[str]) -> bool:
    before_separator = args[: args.index("--")] if "--" in args else args
    return "-h" in before_separator or "--help" in before_separator


def build_parser(commands: Sequence[Command] = COMMANDS) -> OneLineParser:
    """The whole command line for `studyapp --help`: global options, the app's paths, and
    every subcommand with its summary (their own options load with `studyapp COMMAND -h`)."""
    parser = OneLineParser(
        prog="studyapp",
        usage="%(prog)s [-h] [--version] [--data-dir DIR] [PATH ...]\n"
        "       %(prog)s COMMAND [options] ...",
        description="Review the Markdown cards in the terminal, or run one of the commands.",
        epilog="`studyapp COMMAND --help` shows a command's options. Anki ignores the "
        "scheduling in a package for notes it already has: for a deck already in Anki, carry "
        "progress with `studyapp sync-anki`, not export-anki.",
    )
    add_version_argument(parser)
    add_global_arguments(parser)
    add_paths_argument(parser)
    subparsers = parser.add_subparsers(
        title="commands", metavar="COMMAND", parser_class=OneLineParser
    )
    for command in commands:
        subparsers.add_parser(command.name, help=command.summary)
    return parser
