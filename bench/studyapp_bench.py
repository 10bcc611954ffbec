"""Study app speed with a big collection: 10,000 cards and 100,000 review-log rows.

Prints, against the targets:
  (a) process start -> first card shown, headless (a fresh subprocess; target 0.5 s)
  (b) grade key -> next card shown, median and worst over 200 grades (target 30 ms median)
  (c) peak memory of the subprocess in (a) (target 150 MB)
  (d) `studyapp optimize` on 100,000 reviews, in-process (target: at most 1.2x the time of
      fsrs-rs-python's compute_parameters alone on the same training items)

Each figure also prints its ratio to a reference timed in the same run, so a loaded (shared)
machine shows up as a slow reference rather than as a regression (for (a) in CPU seconds too,
the steadier figure when other work shares the cores):
  (a) against a bare Textual app started the same way (spawn -> first screen mounted);
  (b) against a key press -> label update in a bare Textual app under the same Pilot;
  (d) against compute_parameters alone, interleaved with it, and split into its parts.

Usage: .venv/bin/python bench/studyapp_bench.py [--runs N] [--grades N] [--keep DIR]
                                                [--optimize-only]
Figures are indicative on a shared machine; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

AREAS = 10  # folders (parent decks)
FILES_PER_AREA = 10  # files (decks)
CARDS_PER_FILE = 100  # 10 x 10 x 100 = 10,000 cards
REVLOG_ROWS = 100_000
REVIEWED_CARDS = 3_000  # cards with a review history; ~10% of them due today
TERMINAL = (100, 34)

TARGET_FIRST_CARD_S = 0.5
TARGET_GRADE_MEDIAN_MS = 30.0
TARGET_PEAK_MB = 150.0
TARGET_OPTIMIZE_RATIO = 1.2
OPTIMIZE_CARDS, OPTIMIZE_REVIEWS_PER_CARD = 12_800, 6  # with learning steps: ~100,000 answers


def card_id(area: int, deck: int, number: int) -> str:
    return f"bench-{area:02d}-{deck:02d}-{number:03d}"


def write_cards(root: Path) -> list[str]:
    """Markdown files in the card format; returns every card id."""
    ids = []
    for area in range(AREAS):
        folder = root / f"Area{area:02d}"
        folder.mkdir(parents=True)
        for deck in range(FILES_PER_AREA):
            lines = [f"# Topic {deck:02d}", ""]
            for number in range(CARDS_PER_FILE):
                identifier = card_id(area, deck, number)
                ids.append(identifier)
                lines += [
                    f"## Card {number + 1}: Fact {area}.{deck}.{number}",
                    f"**ID:** {identifier}",
                    "**Tags:** bench generated",
                    f"**Front:** What does fact {number} of topic {area}.{deck} say of `celery`?",
                    "**Back:**",
                    "```python",
                    f"result = add.delay({number}, {deck})",
                    "```",
                    f"It queues task number {number} and returns an `AsyncResult`.",
                    "",
                ]
            (folder / f"topic{deck:02d}.md").write_text("\n".join(lines), encoding="utf-8")
    return ids


def seed_progress(cards: Path, data_dir: Path, ids: list[str]) -> None:
    """Review states for some cards and a synthetic review log spread over a year."""
    from studyapp.records import Phase, ReviewKind, RevlogEntry, datetime_to_ms
    from studyapp.study import Study

    rng = random.Random(7)
    study = Study.open([cards], data_dir)
    try:
        now = datetime.now(UTC)
        reviewed = rng.sample(ids, REVIEWED_CARDS)
        states = []
        for index, identifier in enumerate(reviewed):
            due_in = timedelta(days=-rng.randint(0, 5)) if index % 10 == 0 else None
            due = now + (due_in or timedelta(days=rng.randint(1, 120)))
            states.append(
                replace(
                    study.state(identifier),
                    phase=Phase.REVIEW,
                    stability=rng.uniform(2.0, 90.0),
                    difficulty=rng.uniform(2.0, 8.0),
                    due=due,
                    last_review=due - timedelta(days=10),
                    first_review=now - timedelta(days=300),
                    reps=rng.randint(3, 40),
                    lapses=rng.randint(0, 3),
                )
            )
        study.store.save_states(states)
        # A year of history ending two days ago, so today's review limit is untouched.
        start_ms = datetime_to_ms(now - timedelta(days=367))
        step_ms = (365 * 86_400_000) // REVLOG_ROWS
        entries = (
            RevlogEntry(
                id=start_ms + row * step_ms,
                card_id=reviewed[row % REVIEWED_CARDS],
                rating=rng.choice((1, 3, 3, 3, 4)),
                interval=rng.randint(1, 60),
                last_interval=rng.randint(0, 30),
                difficulty=5.0,
                stability=10.0,
                duration_ms=rng.randint(2000, 20000),
                kind=ReviewKind.REVIEW,
            )
            for row in range(REVLOG_ROWS)
        )
        study.store.bulk_insert_revlog(entries)
    finally:
        study.close()


def first_card_child(cards: Path, data_dir: Path) -> None:
    """Runs in the subprocess: open the app headless, Enter on "All decks", print when shown.

    Prints `PHASE name epoch-seconds cpu-seconds` lines; the parent subtracts its spawn time.
    """

    from textual.pilot import Pilot
    from textual.widgets import DataTable

    from studyapp.study import Study
    from studyapp.tui.app import StudyApp
    from studyapp.tui.screens.deck_list import DeckListScreen
    from studyapp.tui.screens.review import ReviewScreen

    phase("imports")

    class TimedApp(StudyApp):
        def on_review_screen_card_shown(self, message: ReviewScreen.CardShown) -> None:
            phase("first_card")
            self.exit(0)

    async def auto_pilot(pilot: Pilot[object]) -> None:
        # Enter once the deck list shows, as a user would (earlier keys could be lost).
        while not (
            isinstance(pilot.app.screen, DeckListScreen)
            and (tables := pilot.app.screen.query("#decks").results(DataTable))
            and any(table.row_count for table in tables)
        ):
            await asyncio.sleep(0.002)
        phase("deck_list")
        await pilot.press("enter")

    study = Study.open([cards], data_dir)
    phase("study_open")
    try:
        TimedApp(study).run(headless=True, size=TERMINAL, auto_pilot=auto_pilot)
    finally:
        study.close()


PHASES = ("imports", "study_open", "deck_list", "first_card")


def phase(name: str) -> None:
    """In a child: when `name` was reached (epoch seconds) and the CPU seconds spent so far
    (user + system, interpreter start included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"PHASE {name} {time.time():.6f} {usage.ru_utime + usage.ru_stime:.6f}", flush=True)


def reference_child() -> None:
    """Runs in the subprocess: a bare Textual app, started and stopped as the study app is."""
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Label

    class Bare(App[int]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Label("first screen")
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(self.shown)

        def shown(self) -> None:
            phase("first_card")
            self.exit(0)

    Bare().run(headless=True, size=TERMINAL)


def floor_child() -> None:
    """Runs in the subprocess: the bound no study app can beat with these widgets. A bare
    Textual app shows what the study app's path to the first card shows (a deck table,
    Enter, a screen with a card's Front as Markdown between a header and a footer) with no
    study code and no data: only Textual's widgets and their Markdown parser."""
    from textual.app import App, ComposeResult
    from textual.screen import Screen
    from textual.widgets import DataTable, Footer, Header, Markdown

    front = "What does fact 1 of topic 0.0 say of `celery`?"

    class Card(Screen[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Markdown(front)
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(self.shown)

        def shown(self) -> None:
            phase("first_card")
            self.app.exit(0)

    class Floor(App[int]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable()
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("deck", "new", "learn", "due")
            table.add_row("All decks", 20, 0, 200)
            self.call_after_refresh(lambda: self.push_screen(Card()))

    Floor().run(headless=True, size=TERMINAL)


def child_phases(*args: str) -> dict[str, float]:
    """Run this script as a child with `args`; seconds from just before the spawn to each
    `PHASE <name> <time.time()> <cpu>` line it prints, and `<name>_cpu`: its CPU seconds."""
    started = time.time()
    output = subprocess.run(
        [sys.executable, __file__, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    ).stdout
    phases = {}
    for line in output.splitlines():
        if line.startswith("PHASE "):
            _, name, stamp, cpu = line.split()
            phases[name] = float(stamp) - started
            phases[f"{name}_cpu"] = float(cpu)
    return phases


def measure_reference_start() -> dict[str, float]:
    return child_phases("--reference-child")


async def measure_reference_keys(presses: int) -> list[float]:
    """Key press -> label updated, in a bare app driven by the same Pilot loop."""
    from textual.app import App, ComposeResult
    from textual.widgets import Label

    changed: list[float] = []

    class Bare(App[int]):
        def compose(self) -> ComposeResult:
            yield Label("0", id="count")

        def on_key(self) -> None:
            label = self.query_one("#count", Label)
            label.update(str(len(changed) + 1))
            self.call_after_refresh(lambda: changed.append(time.perf_counter()))

    timings = []
    async with Bare().run_test(size=TERMINAL) as pilot:
        for _ in range(presses):
            before = len(changed)
            pressed = time.perf_counter()
            await pilot.press("x")
            while len(changed) == before:
                await asyncio.sleep(0.001)
            timings.append(changed[before] - pressed)
    return timings


def measure_floor_start() -> dict[str, float]:
    return child_phases("--floor-child")


def measure_first_card(cards: Path, data_dir: Path) -> dict[str, float]:
    """Seconds from just before the spawn to each phase of the child's start-up."""
    return child_phases("--child", str(cards), str(data_dir))


async def measure_grades(cards: Path, data_dir: Path, grades: int) -> list[float]:
    """Seconds from each grade key press to the next card being in place, in-process."""
    from studyapp.study import Study
    from studyapp.tui.app import StudyApp
    from studyapp.tui.screens.review import ReviewScreen

    shown_at: list[float] = []

    class TimedApp(StudyApp):
        def on_review_screen_card_shown(self, message: ReviewScreen.CardShown) -> None:
            shown_at.append(time.perf_counter())

    study = Study.open([cards], data_dir)
    timings = []
    try:
        app = TimedApp(study)
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            for _ in range(grades):
                screen = app.screen
                if not isinstance(screen, ReviewScreen) or screen.card is None:
                    break
                await pilot.press("space")
                before = len(shown_at)
                pressed = time.perf_counter()
                await pilot.press("3")
                # CardShown reaches the app just after the screen settles; wait for it.
                deadline = pressed + 5.0
                while len(shown_at) == before and isinstance(app.screen, ReviewScreen):
                    if time.perf_counter() > deadline:
                        break
                    await asyncio.sleep(0.001)
                if len(shown_at) == before:
                    break  # the session ended (summary shown)
                timings.append(shown_at[before] - pressed)
    finally:
        study.close()
    return timings


def optimize_history(data_dir: Path) -> int:
    """A learner's log of about 100,000 answers drawn from known FSRS parameters (the
    optimizer test's generator); returns its length."""
    from studyapp.fsrs_sample import history
    from studyapp.records import CardState, Phase
    from studyapp.store import Store

    log = history(OPTIMIZE_CARDS, OPTIMIZE_REVIEWS_PER_CARD)
    last = {entry.card_id: entry.reviewed_at for entry in log}
    store = Store.open(data_dir)
    try:
        store.bulk_insert_revlog(log)
        store.save_states(
            CardState(card, Phase.REVIEW, None, 5.0, 5.0, when + timedelta(days=3), when, 8)
            for card, when in last.items()
        )
    finally:
        store.close()
    return len(log)


def measure_optimize(base: Path, runs: int) -> None:
    """(d): the whole of `optimize_folder` (what `studyapp optimize` runs after its imports)
    against compute_parameters alone on the training items it builds, interleaved."""
    from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, TrainingConfig

    from studyapp.clock import ManualClock
    from studyapp.memory_states import recompute
    from studyapp.optimize import (
        EPOCHS,
        evaluate,
        optimize_folder,
        relearning_steps_within_a_day,
        training_set,
    )
    from studyapp.scheduler import Scheduler
    from studyapp.settings import Settings
    from studyapp.store import Store

    source = base / "optimize-data"
    began = time.perf_counter()
    answers_count = optimize_history(source)
    print(f"(d) history: {answers_count} answers (built in {time.perf_counter() - began:.1f} s)")
    settings = Settings()
    store = Store.open(source)
    answers = store.answers_by_card()
    store.close()
    now = max(at for _, at, _, _ in answers)
    clock = ManualClock(datetime.fromtimestamp(now / 1000, UTC) + timedelta(days=1))
    next_day = Scheduler(settings).next_day_start(clock.now())
    training = training_set(answers, next_day)

    def compute_alone() -> float:
        began = time.perf_counter()
        FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(
            training.items,
            card_ids=training.card_numbers,
            enable_short_term=True,
            num_relearning_steps=relearning_steps_within_a_day(settings),
            training_config=TrainingConfig(num_epochs=EPOCHS),
        )
        return time.perf_counter() - began

    def optimize_once(run: int) -> float:
        folder = base / f"optimize-run-{run}"  # a fresh copy: each run starts from defaults
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(source, folder)
        began = time.perf_counter()
        applied = optimize_folder(folder, clock, dry_run=False)
        elapsed = time.perf_counter() - began
        assert applied.saved, "the fit did not beat the defaults"
        return elapsed

    def timed(action: Callable[[], object]) -> float:
        began = time.perf_counter()
        action()
        return time.perf_counter() - began

    alone, whole = [], []
    for run in range(runs):
        alone.append(compute_alone())
        whole.append(optimize_once(run))
    reference, total = statistics.median(alone), statistics.median(whole)
    ratio = total / reference
    print(
        f"    optimize: median {total:.3f} s over {runs} runs; compute_parameters alone on the "
        f"same {len(training.items)} items: median {reference:.3f} s; ratio {ratio:.2f}, "
        f"target {TARGET_OPTIMIZE_RATIO} [{verdict(ratio <= TARGET_OPTIMIZE_RATIO)}]"
    )
    # The parts of optimize other than the training, each timed on its own.
    store = Store.open(source)
    try:
        read = timed(store.answers_by_card)
        build = timed(lambda: training_set(answers, next_day))
        fitted = optimize_folder(base / "optimize-run-0", clock, dry_run=True).fit
        evaluations = timed(lambda: evaluate(fitted.current, training.items)) + timed(
            lambda: evaluate(fitted.fitted, training.items)
        )
        scheduler = Scheduler(replace(settings, fsrs_parameters=fitted.fitted))
        memory = timed(lambda: recompute(store, scheduler, clock.now(), "bench", answers))
    finally:
        store.close()
    print(
        f"    besides training: read {answers_count} answers {read:.3f} s, build the items "
        f"{build:.3f} s, evaluate before and after (Anki's Evaluate) {evaluations:.3f} s, "
        f"recompute {fitted.cards} memory states {memory:.3f} s"
    )
    floor = reference + evaluations
    print(
        f"    bound: the training and the two evaluations the command must print (log loss "
        f"and RMSE before and after) = {floor:.3f} s, {floor / reference:.2f}x the training "
        "alone, before reading a row or building an item"
    )


def verdict(ok: bool) -> str:
    return "OK" if ok else "OVER TARGET"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="subprocess starts to time")
    parser.add_argument("--grades", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="build the collection here and keep it")
    parser.add_argument(
        "--optimize-only", action="store_true", help="only (d), `studyapp optimize`'s timing"
    )
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--reference-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--floor-child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        first_card_child(*options.child)
        return 0
    if options.reference_child:
        reference_child()
        return 0
    if options.floor_child:
        floor_child()
        return 0

    with tempfile.TemporaryDirectory(prefix="studyapp-bench-") as scratch:
        base = options.keep or Path(scratch)
        if options.optimize_only:
            measure_optimize(base, options.runs)
            return 0
        cards, data_dir = base / "cards", base / "data"
        if cards.exists():
            print(f"collection: reusing {base} (grades from earlier runs are in it)")
        else:
            began = time.perf_counter()
            ids = write_cards(cards)
            seed_progress(cards, data_dir, ids)
            print(
                f"collection: {len(ids)} cards, {REVLOG_ROWS} revlog rows "
                f"(built in {time.perf_counter() - began:.1f} s)"
            )

        # One start without the card cache (first run, or after a deckgen upgrade), then warm
        # starts: the cold one shows what the cache saves. The cache is this bench's own.
        from deckgen.cardformat.cache import CACHE_DIR_ENV

        os.environ[CACHE_DIR_ENV] = str(base / "card-cache")
        shutil.rmtree(base / "card-cache", ignore_errors=True)
        cold = measure_first_card(cards, data_dir)
        print(
            f"    cold start (no parse cache): first card {cold['first_card']:.3f} s, "
            f"of which opening the study {cold['study_open'] - cold['imports']:.3f} s"
        )
        runs = []
        references = []
        floors = []
        for _ in range(options.runs):  # interleaved, so all three see the same load
            runs.append(measure_first_card(cards, data_dir))
            references.append(measure_reference_start())
            floors.append(measure_floor_start())
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        reference = statistics.median(ref["first_card"] for ref in references)
        reference_cpu = statistics.median(ref["first_card_cpu"] for ref in references)
        first_cpu = statistics.median(run["first_card_cpu"] for run in runs)
        floor = statistics.median(run["first_card"] for run in floors)
        floor_cpu = statistics.median(run["first_card_cpu"] for run in floors)
        starts = [run["first_card"] for run in runs]
        first = statistics.median(starts)
        print(
            f"(a) start -> first card (warm): median {first:.3f} s over {len(starts)} runs "
            f"(each: {', '.join(f'{s:.3f}' for s in starts)}); target {TARGET_FIRST_CARD_S} s, "
            f"ratio {first / TARGET_FIRST_CARD_S:.2f} [{verdict(first <= TARGET_FIRST_CARD_S)}]"
        )
        print(
            f"    reference, a bare Textual app started the same way: median {reference:.3f} s; "
            f"first card / reference = {first / reference:.2f}"
        )
        print(
            f"    in CPU seconds (the child's own, interpreter start included): first card "
            f"{first_cpu:.3f} s, reference {reference_cpu:.3f} s; "
            f"first card / reference = {first_cpu / reference_cpu:.2f}"
        )
        print(
            f"    bound, the same widgets showing one card with no study code: median "
            f"{floor:.3f} s ({floor / reference:.2f}x the reference), CPU {floor_cpu:.3f} s "
            f"({floor_cpu / reference_cpu:.2f}x); the study app adds "
            f"{first - floor:.3f} s, CPU {first_cpu - floor_cpu:.3f} s"
        )
        marks = "  ".join(
            f"{name} {statistics.median(run[name] for run in runs):.3f}" for name in PHASES
        )
        print(f"    median time since spawn at each phase (s): {marks}")
        cpu_marks = "  ".join(
            f"{name} {statistics.median(run[f'{name}_cpu'] for run in runs):.3f}" for name in PHASES
        )
        print(f"    median CPU seconds spent by each phase's end: {cpu_marks}")

        key_reference = asyncio.run(measure_reference_keys(100))
        timings = asyncio.run(measure_grades(cards, data_dir, options.grades))
        key_reference += asyncio.run(measure_reference_keys(100))  # before and after
        reference_ms = statistics.median(key_reference) * 1000
        median_ms = statistics.median(timings) * 1000
        worst_ms = max(timings) * 1000
        print(
            f"(b) grade -> next card: median {median_ms:.1f} ms, worst {worst_ms:.1f} ms "
            f"over {len(timings)} grades; target {TARGET_GRADE_MEDIAN_MS} ms median, "
            f"ratio {median_ms / TARGET_GRADE_MEDIAN_MS:.2f} "
            f"[{verdict(median_ms <= TARGET_GRADE_MEDIAN_MS)}]"
        )
        print(
            f"    reference, key -> label update in a bare Textual app: median "
            f"{reference_ms:.1f} ms; grade / reference = {median_ms / reference_ms:.2f}"
        )
        print(
            f"(c) peak memory (subprocess): {peak_mb:.0f} MB; target {TARGET_PEAK_MB} MB, "
            f"ratio {peak_mb / TARGET_PEAK_MB:.2f} [{verdict(peak_mb <= TARGET_PEAK_MB)}]"
        )
        measure_optimize(base, options.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
