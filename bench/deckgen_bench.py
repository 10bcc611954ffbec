"""Benchmark deckgen on a synthetic 10,000-card deck (10 files of 1,000 cards).

Prints, from one run: the cold build, the rebuild after one card is edited, and the
floor (a bare genanki build of the same notes from ready-made HTML), plus the ratios to
the floor. Two reference figures put the cold build in context: markdown-it-py's parse of
the same files alone (no rendering, no package), and a straightforward build (stock
markdown-it-py + Pygments + genanki, no ids, checks or cache), both on every core.
Usage: .venv/bin/python bench/deckgen_bench.py [--cards 10000] [--files 10]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import genanki
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name

from deckgen.anki import BASIC_MODEL, deck_id, note_guid
from deckgen.build import build, render_all
from deckgen.chunks import normalize_newlines
from deckgen.markdown import markdown
from deckgen.pool import default_jobs, make_pool

T = TypeVar("T")
TOPICS = ("worker", "beat", "flower", "broker", "backend", "queue", "retry", "chord")


def card_text(number: int, file_number: int) -> str:
    topic = TOPICS[number % len(TOPICS)]
    return f"""## Card {number}: {topic.title()} fact {file_number}-{number}
**Front:** What does the `{topic}_{number}` setting change in deck {file_number}?
**Back:**
- **{topic.title()}** reads `{topic}_{number}` at start-up
- it applies to *every* task in queue `q{number % 7}`
```bash
celery -A config.celery_app inspect stats --destination w{number}@host
```
"""


def write_deck(root: Path, cards: int, files: int) -> list[Path]:
    paths = []
    per_file = cards // files
    for file_number in range(files):
        body = [f"# Synthetic deck {file_number}\n"]
        body += [card_text(n, file_number) for n in range(per_file)]
        path = root / f"deck_{file_number:02d}.md"
        path.write_text("\n".join(body), encoding="utf-8")
        paths.append(path)
    return paths


CPU_USED: list[float] = []  # CPU seconds (this process and its workers) per timed() call


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(action: Callable[[], object]) -> float:
    """Wall seconds of `action`; its CPU seconds go to CPU_USED."""
    cpu = cpu_seconds()
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    CPU_USED.append(cpu_seconds() - cpu)
    return elapsed


def floor_build(fields: list[tuple[str, str, str]], output: Path) -> None:
    """genanki alone: the same notes from ready-made HTML, no parsing or rendering."""
    deck = genanki.Deck(deck_id("floor"), "floor")
    for number, note_fields in enumerate(fields):
        deck.add_note(
            genanki.Note(model=BASIC_MODEL, fields=list(note_fields), guid=note_guid(str(number)))
        )
    genanki.Package(deck).write_to_file(str(output))


def parse_only(path: Path) -> int:
    """markdown-it-py's parse of one file with deckgen's configuration: tokens only."""
    return len(markdown().parse(normalize_newlines(path.read_text(encoding="utf-8"))))


STOCK_FORMATTER = HtmlFormatter(noclasses=True, nowrap=True)


def stock_highlight(code: str, language: str, _attrs: str) -> str:
    lexer = get_lexer_by_name(language or "text")  # Pygments caches the lexer classes
    return f"<pre><code>{highlight(code, lexer, STOCK_FORMATTER)}</code></pre>"


STOCK_MARKDOWN = MarkdownIt("commonmark", {"highlight": stock_highlight})
STOCK_MARKDOWN.enable(["table", "strikethrough"])


def straightforward_render(path: Path) -> list[tuple[str, str]]:
    """A file's cards as (front, back) HTML the simplest way: cut the text at `## `."""
    notes = []
    for chunk in path.read_text(encoding="utf-8").split("\n## ")[1:]:
        body = chunk.partition("\n")[2]
        front, _, back = body.partition("**Back:**")
        front = front.replace("**Front:**", "", 1)
        notes.append((STOCK_MARKDOWN.render(front), STOCK_MARKDOWN.render(back)))
    return notes


def over_all_cores(action: Callable[[Path], T], paths: list[Path]) -> list[T]:
    """`action` on every file, the files spread over one process per core."""
    pool = make_pool(default_jobs())
    try:
        return list(pool.map(action, paths))
    finally:
        pool.shutdown()


def straightforward_build(paths: list[Path], output: Path) -> None:
    deck = genanki.Deck(deck_id("straightforward"), "straightforward")
    for notes in over_all_cores(straightforward_render, paths):
        for front, back in notes:
            deck.add_note(genanki.Note(model=BASIC_MODEL, fields=[front, back, ""]))
    genanki.Package(deck).write_to_file(str(output))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="deckgen-bench-") as temp:
        root = Path(temp)
        source = root / "cards"
        source.mkdir()
        paths = write_deck(source, args.cards, args.files)
        output = root / "out" / "bench.apkg"
        cache = output.with_name(output.name + ".cache.json")

        result = render_all([source])
        assert not result.errors, result.errors[:3]
        fields = [note.fields for placed in result.parts for note in placed.part.notes]
        del result  # keep only the HTML, so the floor runs in a lean process
        gc.collect()

        floors, colds, rebuilds, cli_colds, parses, plains = [], [], [], [], [], []
        floor_cpu, cold_cpu = [], []
        for run in range(args.repeat):
            floors.append(timed(lambda: floor_build(fields, root / "floor.apkg")))
            floor_cpu.append(CPU_USED[-1])

            output.unlink(missing_ok=True)
            cache.unlink(missing_ok=True)
            colds.append(timed(lambda: build([source], output)))
            cold_cpu.append(CPU_USED[-1])

            edited = paths[run % len(paths)]
            text = edited.read_text(encoding="utf-8")
            edited.write_text(text.replace("at start-up", f"at boot ({run})", 1), "utf-8")
            report = None

            def rebuild() -> None:
                nonlocal report
                report = build([source], output)

            rebuilds.append(timed(rebuild))
            assert report is not None and report.notes_changed == 1, report

            output.unlink(missing_ok=True)
            cache.unlink(missing_ok=True)
            cli_colds.append(timed(lambda: run_cli(source, output)))
            parses.append(timed(lambda: over_all_cores(parse_only, paths)))
            plains.append(timed(lambda: straightforward_build(paths, root / "plain.apkg")))

    floor = statistics.median(floors)
    cold = statistics.median(colds)
    rebuild_time = statistics.median(rebuilds)
    cli_cold = statistics.median(cli_colds)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"deckgen benchmark: {args.cards} cards in {args.files} files, median of {args.repeat}")
    print(f"machine: {os.cpu_count()} cores, load average {load} (figures are wall-clock)")
    print(f"{'floor (bare genanki from ready HTML):':38s} {floor:.3f} s")
    figure("cold build (in process)", cold, floor, "target <= 4.5x")
    figure("rebuild after one edited card", rebuild_time, floor, "target <= 2x")
    figure("cold `python -m deckgen build`", cli_cold, floor, "includes interpreter start")
    print("for reference, on every core:")
    figure("  markdown-it-py parse alone", statistics.median(parses), floor, "no HTML, no package")
    figure("  straightforward build", statistics.median(plains), floor, "stock parts, no checks")
    floor_c, cold_c = statistics.median(floor_cpu), statistics.median(cold_cpu)
    print(f"CPU seconds: floor {floor_c:.3f}, cold build {cold_c:.3f} over all processes "
          f"(= {cold_c / floor_c:.2f}x; wall < CPU when both cores are free)")  # fmt: skip


def figure(label: str, seconds: float, floor: float, note: str) -> None:
    print(f"{label + ':':38s} {seconds:.3f} s = {seconds / floor:.2f}x floor ({note})")


def run_cli(source: Path, output: Path) -> None:
    command = [sys.executable, "-m", "deckgen", "build", str(source), "-o", str(output)]
    subprocess.run(command, check=True, capture_output=True)


if __name__ == "__main__":
    main()
