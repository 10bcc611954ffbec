"""The bare `studyapp [PATH...]`: open the terminal app on the cards."""

from __future__ import annotations

import argparse

from studyapp import cli_common


def add_arguments(parser: argparse.ArgumentParser) -> None:
    cli_common.add_paths_argument(parser)


def run(args: argparse.Namespace) -> int:
    paths = cli_common.card_paths(args.paths)
    if paths is None:
        return cli_common.EXIT_USAGE
    try:
        from studyapp.tui.app import run_app
    except ImportError as exc:
        return cli_common.fail(f"studyapp: the terminal app is not available: {exc}")
    return run_app(paths, cli_common.resolve_data_dir(args.data_dir))
