"""`studyapp optimize [--retention] [--dry-run]`: fit FSRS to your reviews, as Anki's
"Optimize" does, or recommend a desired retention."""

from __future__ import annotations

import argparse

from studyapp.cli.common import fail
from studyapp.clock import SystemClock
from studyapp.locations import DataFolder
from studyapp.settings import Settings, SettingsError, parameters_origin
from studyapp.store import StoreError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Fit the FSRS parameters to your whole review history (the terminal's reviews and "
        "those sync-anki brought) with fsrs-rs, the optimizer Anki runs, and keep them in "
        "settings.toml when they predict your answers better than the ones in use. Prints "
        "log loss and RMSE before and after, as Anki's Evaluate. Memory states are then "
        "recomputed with the new parameters; due dates stay."
    )
    parser.add_argument(
        "--retention",
        action="store_true",
        help="recommend a desired retention (the least study time per card remembered, "
        "from fsrs-rs's simulator with your parameters) instead of fitting",
    )
    parser.add_argument("--dry-run", action="store_true", help="fit and print, but change nothing")


def run(args: argparse.Namespace) -> int:
    folder = DataFolder.chosen(args.data_dir)
    from studyapp.optimize import NotEnoughHistory, optimize_folder, retention_for_folder

    try:
        if args.retention:
            return _print_retention(*retention_for_folder(folder.root))
        applied = optimize_folder(folder.root, SystemClock(), args.dry_run)
    except NotEnoughHistory as exc:
        return fail(f"studyapp optimize: {exc}")
    except (SettingsError, StoreError, ValueError) as exc:
        return fail(str(exc))
    fit = applied.fit
    print(f"Reviews read from {folder.describe()}")
    print(f"Review count: {fit.reviews:,} ({fit.items:,} training items from {fit.cards:,} cards)")
    rows = (
        (f"parameters in use: {parameters_origin(applied.before)}", fit.current_evaluation),
        ("optimized now", fit.fitted_evaluation),
    )
    width = max(len(label) for label, _ in rows) + 2
    print(f"{'':<{width}}{'log loss':>9}{'RMSE (bins)':>13}")
    for label, result in rows:
        print(f"{label:<{width}}{result.log_loss:>9.4f}{result.rmse_bins:>13.2%}")
    print("(smaller is better)")
    parameters = ", ".join(f"{value:.4f}" for value in fit.fitted)
    if not fit.improved:
        print("The parameters in use already fit your reviews best: unchanged.")
    elif not applied.saved:
        print(f"Would save these parameters (--dry-run, nothing changed):\n  {parameters}")
    else:
        print(
            f"Saved to {folder.settings} as FSRS parameters "
            f"{parameters_origin(applied.settings)}:\n  {parameters}"
        )
        if applied.before.fsrs_parameters:  # said, so they can be put back by hand
            previous = ", ".join(f"{value:.4f}" for value in applied.before.fsrs_parameters)
            print(f"They replace the parameters {parameters_origin(applied.before)}:\n  {previous}")
        if applied.recomputed is not None:
            print(
                f"Memory states of {applied.recomputed.cards:,} cards recomputed with them; "
                "due dates unchanged."
            )
    return 0


def _print_retention(recommended: float, settings: Settings, cards: int) -> int:
    print(
        f"Recommended desired retention: {recommended:.2f} (now {settings.desired_retention}; "
        f"simulated for {cards:,} cards with FSRS parameters {parameters_origin(settings)})"
    )
    print(
        "It costs the least study time per card remembered. Change it on the settings "
        "screen (,) or as desired_retention in settings.toml."
    )
    return 0
