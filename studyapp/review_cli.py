"""The bare `studyapp [PATH...]`: open the terminal app on the cards."""

from __future__ import annotations

import argparse

from studyapp.cli_common import (
    EXIT_USAGE,
    add_paths_argument,
    card_paths,
    fail,
    resolve_data_dir,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_paths_argument(parser)


def run(args: argparse.Namespace) -> int:
    paths = card_paths(args.paths)
    if paths is None:
        return EXIT_USAGE
    try:
        from studyapp.tui.app import run_app
    except ImportError as exc:
        return fail(f"studyapp: the terminal app is not available: {exc}")
    return run_app(paths, resolve_data_dir(args.data_dir))
