"""`studyapp` command line: every subcommand in one parser, the terminal app by default.

`studyapp [--data-dir DIR] [PATH...]` opens the app; `studyapp COMMAND ...` runs one of
`COMMANDS`. Each command is a module of this package exposing `add_arguments(parser)` and
`run(args) -> int`; to add one, write the module and add its line to `COMMANDS`. Only the
module of the command being run is imported, so the app starts without loading the others.

One argparse parser holds every command as a subparser. The command's word is found before
parsing (the bare app takes PATHs, which argparse would read as an unknown command) and its
subparser then parses the rest with `parse_intermixed_args`, so options and positionals may
come in any order (`studyapp run ID --yes cards/`). Every failure is one line on stderr and a
non-zero exit (1 for bad input or data, 2 for bad usage), never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from deckgen.version import add_version_argument
from studyapp.cli.common import (
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
REVIEW = Command("", "review the cards in the terminal app", "studyapp.cli.review")

COMMANDS: tuple[Command, ...] = (
    Command("stats", "print review statistics (--json for scripts)", "studyapp.cli.stats"),
    Command("run", "run one card's command in the demo project", "studyapp.cli.run"),
    Command("verify", "run every card's command and check its Expect", "studyapp.cli.verify"),
    Command("backups", "list the progress backups (time, reviews, size)", "studyapp.cli.backups"),
    Command(
        "restore", "put a progress backup back (the newest by default)", "studyapp.cli.restore"
    ),
    Command(
        "import-anki", "bring reviews from an Anki export or collection", "studyapp.cli.import_anki"
    ),
    Command("sync-anki", "sync progress both ways with a closed Anki", "studyapp.cli.sync_anki"),
    Command("optimize", "fit FSRS parameters to your review history", "studyapp.cli.optimize"),
    Command(
        "export-anki",
        "write an .apkg with progress (Anki new to the deck)",
        "studyapp.cli.export_anki",
    ),
)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return dispatch(args, COMMANDS)
    except KeyboardInterrupt:
        return 130


def dispatch(args: list[str], commands: Sequence[Command]) -> int:
    """Parse `args` with the subparser of the command they name (the app's when none) and
    run the command."""
    found = find_command(args, commands)
    if found is None:
        if _asks_for_help(args):
            build_parser(commands).print_help()
            return 0
        command, rest = REVIEW, args
        parser: argparse.ArgumentParser = app_parser()
    else:
        index, command = found
        rest = args[:index] + args[index + 1 :]
        parser = build_parser(commands).subparsers[command.name]
    try:
        module = importlib.import_module(command.module)
        add_arguments: Callable[[argparse.ArgumentParser], None] = module.add_arguments
        run: Callable[[argparse.Namespace], int] = module.run
    except (ImportError, AttributeError) as exc:
        name = f"studyapp {command.name}".strip()
        return fail(f"{name}: not available in this installation ({exc})")
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


class StudyappParser(OneLineParser):
    """The whole command line; `subparsers` maps each command's name to its parser, which
    has the global options and gets the command's own when the command runs."""

    subparsers: dict[str, OneLineParser]


def build_parser(commands: Sequence[Command] = COMMANDS) -> StudyappParser:
    """`studyapp --help`: global options, the app's paths, every command with its summary."""
    parser = StudyappParser(
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
    choices = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=OneLineParser)
    parser.subparsers = {}
    for command in commands:
        sub = choices.add_parser(
            command.name,
            help=command.summary,
            prog=f"studyapp {command.name}",
            description=command.summary,
        )
        add_global_arguments(sub)
        parser.subparsers[command.name] = sub
    return parser


def app_parser() -> OneLineParser:
    """The bare `studyapp`'s own parser: the app's options without the commands."""
    parser = OneLineParser(prog="studyapp", description=REVIEW.summary)
    add_version_argument(parser)
    add_global_arguments(parser)
    return parser
