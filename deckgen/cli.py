"""`deckgen build | check | list | watch`: Markdown card files -> Anki decks.

Every problem is printed as `path:line: message` on stderr and the exit status is 1;
nothing is written when there is any problem.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from deckgen.cardformat.model import Card, CardError
from deckgen.version import add_version_argument

EXIT_OK = 0
EXIT_PROBLEMS = 1
PROGRESS_MIN_CARDS = 1000  # smaller builds finish before a bar would help


def command() -> int:
    """The `deckgen` command (and `python -m deckgen`): a process of its own that holds no
    threads or connections, so a build's workers may be forked from it (see `allow_fork`).
    Callers of `main` in a process of theirs get the forkserver."""
    from deckgen.cardformat.pool import allow_fork

    allow_fork(True)
    return main()


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    if not args.paths:  # no PATH: the project's own course (deckgen/course.py)
        from deckgen.course import default_deck_paths

        args.paths = default_deck_paths()
    try:
        status: int = args.handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `deckgen list | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        # e.g. an output folder we may not write to: still one line, no traceback.
        where = exc.filename or "deckgen"
        print(f"{where}:1: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    return status


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deckgen",
        description="Turn Markdown card files into Anki decks (.apkg). "
        "The card format is described in deckgen/FORMAT.md.",
    )
    add_version_argument(parser)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = add_command(
        commands,
        "build",
        run_build,
        "build an .apkg from card files and folders",
        "Build an Anki package. Folders contribute every *.md below them; sub-folders become "
        "parent decks. The output is replaced atomically; a record next to it "
        "(OUT.apkg.notes.json) keeps unchanged notes unchanged for Anki.",
    )
    build.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.apkg")
    build.add_argument("-j", "--jobs", type=int, default=None, help="worker processes")
    build.add_argument("--quiet", action="store_true", help="no summary line")
    add_command(
        commands,
        "check",
        run_check,
        "validate card files without writing anything",
        "Parse and render every card; print each problem as path:line: message.",
    )
    listing = add_command(
        commands,
        "list",
        run_list,
        "list the cards: id, deck, title, tags, type, Run command, path:line",
        "List every card (tab-separated with a header, or JSON).",
    )
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    watch = add_command(
        commands,
        "watch",
        run_watch,
        "rebuild the .apkg whenever a card file changes",
        "Build once, then rebuild on every change (Ctrl-C to stop).",
    )
    watch.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.apkg")
    return parser


def add_command(
    commands: Any, name: str, handler: Callable[[argparse.Namespace], int], summary: str, text: str
) -> argparse.ArgumentParser:
    """A subcommand that takes card files and folders and is run by `handler`."""
    command: argparse.ArgumentParser = commands.add_parser(name, help=summary, description=text)
    command.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="card file or folder (default: the course, the checkout's cards/ or the bundled copy)",
    )
    command.set_defaults(handler=handler)
    return command


def report_errors(errors: Sequence[CardError], stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    for problem in errors:
        print(problem, file=stream)


# --- commands -----------------------------------------------------------------------------


def run_build(args: argparse.Namespace) -> int:
    from deckgen.build import build

    output: Path = args.output
    if output.is_dir():
        print(f"{output}:1: is a folder; give the .apkg file to write", file=sys.stderr)
        return EXIT_PROBLEMS
    progress = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    report = build(args.paths, output, jobs=args.jobs, progress=progress)
    if progress:
        progress.finish()
    if not report.ok:
        report_errors(report.errors)
        return EXIT_PROBLEMS
    if not args.quiet:
        print(report.summary())
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    from deckgen.build import check

    errors = check(args.paths)
    if errors:
        report_errors(errors)
        return EXIT_PROBLEMS
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    from deckgen.cardformat.load import load

    result = load(args.paths)
    if result.errors:
        report_errors(result.errors)
        return EXIT_PROBLEMS
    if args.json:
        print(json.dumps([card_summary(card) for card in result.cards], indent=2))
        return EXIT_OK
    columns = ("id", "deck", "title", "tags", "type", "run", "location")
    print("\t".join(columns))
    for card in result.cards:
        row = card_summary(card)
        row["tags"] = " ".join(row["tags"])
        row["run"] = (row["run"] or "").replace("\n", "\\n")
        print("\t".join(str(row[column]) for column in columns))
    return EXIT_OK


def card_summary(card: Card) -> dict[str, Any]:
    return {
        "id": card.id,
        "deck": card.deck,
        "title": card.title,
        "tags": list(card.tags),
        "type": card.kind.value,
        "run": card.run.command if card.run else None,
        "location": str(card.location),
        "path": str(card.location.path),
        "line": card.location.line,
    }


def run_watch(args: argparse.Namespace) -> int:
    from watchfiles import Change, watch

    from deckgen.build import build
    from deckgen.cardformat.pool import allow_fork

    allow_fork(False)  # the watcher's thread runs beside every build from here on

    def rebuild() -> None:
        report = build(args.paths, args.output)
        if report.ok:
            print(report.summary(), flush=True)
        else:
            report_errors(report.errors)
            print(f"not built: {len(report.errors)} problem(s); waiting for changes", flush=True)

    rebuild()
    watched = [p if p.exists() else p.parent for p in args.paths]
    output_name: str = args.output.name

    def is_source_change(_change: Change, path: str) -> bool:
        # Our own output, its cache and temp files must not trigger another build.
        return output_name not in Path(path).name

    for _changes in watch(*watched, watch_filter=is_source_change):
        rebuild()
    return EXIT_OK


class ProgressBar:
    """A one-line bar on a terminal, for builds with many cards to render."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_MIN_CARDS:
            return
        filled = self.WIDTH * done // total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\rrendering [{bar}] {done}/{total} cards")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


if __name__ == "__main__":
    sys.exit(command())
