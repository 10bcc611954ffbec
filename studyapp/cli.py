"""`studyapp` command line: the TUI by default, plus `stats`, `run` and `verify`.

Every failure is one line on stderr and a non-zero exit (1 for bad input or data, 2 for bad
usage), never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from studyapp.paths import default_card_paths, default_data_dir

EXIT_BAD_INPUT = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else ""
    try:
        if command == "stats":
            return stats_main(args[1:])
        if command == "run":
            return _delegate("studyapp.runner.cli", "run_main", "run", args[1:])
        if command == "verify":
            return _delegate("studyapp.runner.cli", "verify_main", "verify", args[1:])
        return tui_main(args)
    except KeyboardInterrupt:
        return 130


def tui_main(argv: Sequence[str]) -> int:
    parser = _Parser(prog="studyapp", description="Review the Markdown cards in the terminal.")
    _add_common_arguments(parser)
    options = parser.parse_args(argv)
    paths = _card_paths(options.paths)
    if paths is None:
        return EXIT_USAGE
    try:
        from studyapp.tui.app import run_app
    except ImportError as exc:
        return _fail(f"studyapp: the terminal app is not available: {exc}")
    return run_app(paths, resolve_data_dir(options.data_dir))


def stats_main(argv: Sequence[str]) -> int:
    from studyapp.settings import SettingsError
    from studyapp.stats_report import format_stats
    from studyapp.store import StoreError
    from studyapp.study import Study, no_cards_message, stats_to_json

    parser = _Parser(prog="studyapp stats", description="Print review statistics.")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    _add_common_arguments(parser)
    options = parser.parse_args(argv)
    paths = _card_paths(options.paths)
    if paths is None:
        return EXIT_USAGE
    try:
        study = Study.open(paths, resolve_data_dir(options.data_dir))
    except (SettingsError, StoreError) as exc:
        return _fail(str(exc))
    try:
        for error in study.errors:
            print(error, file=sys.stderr)
        if not study.cards:
            return _fail(no_cards_message(paths))
        stats = study.stats()
    finally:
        study.close()
    if options.json:
        payload = stats_to_json(stats)
        payload["errors"] = [str(error) for error in study.errors]
        print(json.dumps(payload, indent=2))
    else:
        print(format_stats(stats))
    return EXIT_BAD_INPUT if study.errors else 0


def _add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder for progress and settings (default: the user data folder)",
    )
    parser.add_argument("paths", nargs="*", type=Path, help="card files or folders")


def _card_paths(given: list[Path]) -> list[Path] | None:
    paths = given or default_card_paths()
    missing = [path for path in paths if not path.exists()]
    for path in missing:
        print(f"{path}: no such file or folder", file=sys.stderr)
    return None if missing else paths


def _delegate(module_name: str, function_name: str, command: str, argv: list[str]) -> int:
    try:
        module = importlib.import_module(module_name)
        function: Callable[[list[str]], int] = getattr(module, function_name)
    except (ImportError, AttributeError) as exc:
        return _fail(f"studyapp {command}: not available in this installation ({exc})")
    return function(argv)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_BAD_INPUT


def resolve_data_dir(data_dir: Path | None) -> Path:
    return data_dir if data_dir is not None else default_data_dir()
