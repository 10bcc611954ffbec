"""`studyapp stats [--json] [PATH...]`: the stats screen's figures, for scripts."""

from __future__ import annotations

import argparse
import json
import sys

from studyapp.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_USAGE,
    add_paths_argument,
    card_paths,
    fail,
    resolve_data_dir,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    add_paths_argument(parser)


def run(args: argparse.Namespace) -> int:
    from studyapp.settings import SettingsError
    from studyapp.stats import stats_to_json
    from studyapp.stats_report import format_stats
    from studyapp.store import StoreError
    from studyapp.study import Study, no_cards_message

    paths = card_paths(args.paths)
    if paths is None:
        return EXIT_USAGE
    try:
        study = Study.open(paths, resolve_data_dir(args.data_dir))
    except (SettingsError, StoreError) as exc:
        return fail(str(exc))
    try:
        for error in study.errors:
            print(error, file=sys.stderr)
        if not study.cards:
            return fail(no_cards_message(paths))
        stats = study.stats()
    finally:
        study.close()
    if args.json:
        payload = stats_to_json(stats)
        payload["errors"] = [str(error) for error in study.errors]
        print(json.dumps(payload, indent=2))
    else:
        print(format_stats(stats))
    return EXIT_BAD_INPUT if study.errors else 0
