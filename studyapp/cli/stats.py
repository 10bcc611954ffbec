"""`studyapp stats [--json] [PATH...]`: the stats screen's figures, as text or JSON for scripts."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date

from studyapp.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_USAGE,
    add_paths_argument,
    card_paths,
    fail,
)
from studyapp.clock import ClockSettingError, clock_from_environment
from studyapp.locations import DataFolder
from studyapp.settings import SettingsError
from studyapp.stats import RETENTION_DAYS, Stats, stats_to_json
from studyapp.store import StoreError
from studyapp.study import Study, no_cards_message


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    add_paths_argument(parser)


def run(args: argparse.Namespace) -> int:
    paths = card_paths(args.paths)
    if paths is None:
        return EXIT_USAGE
    folder = DataFolder.chosen(args.data_dir)
    try:
        study = Study.open(paths, folder.root, clock_from_environment(os.environ))
    except (SettingsError, StoreError, ClockSettingError) as exc:
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
        payload["data_dir"] = str(folder.root)
        print(json.dumps(payload, indent=2))
    else:
        print(f"Progress read from {folder.describe()}")
        print(format_stats(stats))
    return EXIT_BAD_INPUT if study.errors else 0


def format_stats(stats: Stats) -> str:
    days = list(stats.reviews_per_day.items())
    today_count = days[-1][1] if days else 0
    week = sum(count for _, count in days[-7:])
    total = sum(count for _, count in days)
    weeks = len(days) // 7
    states = ", ".join(f"{count} {name}" for name, count in stats.by_state.items())
    retention = (
        "none yet (no review card answered)"
        if stats.true_retention is None
        else stats.review_answers.describe()
    )
    lines = [
        f"Cards: {sum(stats.by_state.values())} ({states})",
        f"Reviews: {today_count} today, {week} in the last 7 days, "
        f"{total} in the last {weeks} weeks",
        f"True retention (review cards only, last {RETENTION_DAYS} days): {retention}; "
        f"learning cards: {stats.learning_answers.describe()}",
        f"Due in the next {len(stats.forecast)} days: {sum(stats.forecast)} "
        f"(today {stats.forecast[0] if stats.forecast else 0})",
        "Forecast: " + " ".join(str(count) for count in stats.forecast),
    ]
    if days:
        first = days[0][0]
        lines.append(f"Busiest day since {first.isoformat()}: {_busiest(days)}")
    if stats.memory_states is not None:
        lines.append(f"FSRS: {stats.memory_states.describe()}")
    return "\n".join(lines)


def _busiest(days: Sequence[tuple[date, int]]) -> str:
    day, count = max(days, key=lambda item: item[1])
    return f"{day} ({count} reviews)" if count else "none yet"
