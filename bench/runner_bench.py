"""Runner benchmark: prints figures, asserts nothing.

1. Latency from the `r` key to the first output line shown in the RunPanel, for a one-shot
   command that prints at once (Pilot, headless, repeated; median and max). Target < 0.5 s.
2. Wall time of `studyapp verify cards/` for the whole shipped deck, serial and with
   `--jobs 2` (each with its own private Redis + workers), and the ratio. Target < 60 s
   with --jobs 2.

    .venv/bin/python bench/runner_bench.py [--repeat N] [--skip-verify]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Log

from deckgen.cardformat.load import load
from studyapp.runner.services import ServiceManager
from studyapp.runner.trust import TrustStore
from studyapp.tui.widgets.run_panel import RunPanel

ROOT = Path(__file__).resolve().parents[1]
STUDYAPP = str(Path(sys.executable).parent / "studyapp")
DECK = "# Bench\n\n## Echo\n**ID:** bench-echo\n**Front:** q\n**Back:** a\n**Run:** `echo ready`\n"


class TimedPanel(RunPanel):
    """Notes when the first output line reaches the Log."""

    first_line_at: float | None = None

    def _on_line(self, line: str) -> None:
        super()._on_line(line)
        if self.first_line_at is None:
            self.first_line_at = time.perf_counter()


class BenchApp(App[None]):
    """The RunPanel with the review screen's `r` key."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("r", "run", "Run")]

    def __init__(self, panel: TimedPanel) -> None:
        super().__init__()
        self.panel = panel

    def compose(self) -> ComposeResult:
        yield self.panel

    def action_run(self) -> None:
        self.panel.request_run()


async def key_to_first_line(repeat: int) -> list[float]:
    with tempfile.TemporaryDirectory() as scratch:
        deck = Path(scratch) / "bench.md"
        deck.write_text(DECK)
        card = load([deck]).cards[0]
        trust = TrustStore(Path(scratch) / "trusted_files.json")
        trust.trust(deck)  # measure the run, not the confirmation dialog
        panel = TimedPanel(ServiceManager(), trust)
        panel.card = card
        app = BenchApp(panel)
        samples: list[float] = []
        async with app.run_test() as pilot:
            for _ in range(repeat):
                panel.first_line_at = None
                panel.show_card(card)
                await pilot.pause()
                started = time.perf_counter()
                await pilot.press("r")
                while panel.first_line_at is None or panel.busy:
                    await asyncio.sleep(0.002)
                samples.append(panel.first_line_at - started)
                assert [str(x) for x in panel.query_one(Log).lines] == ["ready"]
        return samples


def verify_wall_time(jobs: int) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [STUDYAPP, "verify", "--own-stack", "--jobs", str(jobs), "cards/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr
    return elapsed, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--skip-verify", action="store_true")
    args = parser.parse_args()
    samples = asyncio.run(key_to_first_line(args.repeat))
    print(
        f"r key -> first output line: median {statistics.median(samples) * 1000:.0f} ms, "
        f"max {max(samples) * 1000:.0f} ms over {len(samples)} runs (target < 500 ms)"
    )
    if args.skip_verify:
        return
    serial, serial_summary = verify_wall_time(1)
    print(f"studyapp verify cards/ --jobs 1: {serial:.1f} s  ({serial_summary})")
    parallel, parallel_summary = verify_wall_time(2)
    print(f"studyapp verify cards/ --jobs 2: {parallel:.1f} s  ({parallel_summary})")
    print(f"speed-up --jobs 2 vs serial: {serial / parallel:.2f}x (target: --jobs 2 under 60 s)")


if __name__ == "__main__":
    main()
