"""The bare `studyapp [PATH...]`: open the terminal app on the cards."""

from __future__ import annotations

import argparse

from studyapp.cli import common


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_paths_argument(parser)


def run(args: argparse.Namespace) -> int:
    paths = common.card_paths(args.paths)
    if paths is None:
        return common.EXIT_USAGE
    try:
        from studyapp.tui.app import run_app
    except ImportError as exc:
        return common.fail(f"studyapp: the terminal app is not available: {exc}")
    return run_app(paths, common.resolve_data_dir(args.data_dir))
