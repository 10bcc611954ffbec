"""Benchmark deckgen on a synthetic 10,000-card deck (10 files of 1,000 cards).

Prints, from one run: the cold build, the rebuild after one card is edited, and the
floor (a bare genanki build of the same notes from ready-made HTML), plus the ratios to
the floor. The reference generator is ankdown 0.7.1 (misaka + Pygments + genanki, the
fastest existing one), timed as a command on the same logical cards written in its
format; it is a bench-only dependency (`pip install ankdown==0.7.1`) and skipped with a
message when absent. `--before REF` also times `deckgen build` as it was at git REF
(e.g. `main`), in the same run, so a change is measured before and after side by side.
Two more figures put the cold build in context: markdown-it-py's parse of the same files
alone (no rendering, no package), and a straightforward build (stock markdown-it-py +
Pygments + genanki, no ids, checks or cache), both on every core.
Usage: .venv/bin/python bench/deckgen_bench.py [--cards 10000] [--files 10] [--before main]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import genanki
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name

from deckgen.anki_package import BASIC_MODEL, deck_id, note_guid
from deckgen.build import build, build_unpaused
from deckgen.cardformat.cache import CACHE_DIR_ENV
from deckgen.cardformat.chunks import normalize_newlines
from deckgen.cardformat.load import load
from deckgen.cardformat.markdown import structure_markdown
from deckgen.cardformat.pool import allow_fork, default_jobs, make_pool
from deckgen.render import ANKI_HTML

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


def ankdown_card_text(number: int, file_number: int) -> str:
    """The same card in ankdown's format: Front, `%`, Back, and `---` between cards."""
    card = card_text(number, file_number).split("\n", 1)[1]
    front, _, back = card.partition("**Back:**\n")
    return front.removeprefix("**Front:** ") + "\n%\n\n" + back + "\n---\n"


def write_deck(root: Path, cards: int, files: int, text: Callable[[int, int], str]) -> list[Path]:
    paths = []
    per_file = cards // files
    for file_number in range(files):
        body = [f"# Synthetic deck {file_number}\n"] if text is card_text else []
        body += [text(n, file_number) for n in range(per_file)]
        path = root / f"deck_{file_number:02d}.md"
        path.write_text("\n".join(body), encoding="utf-8")
        paths.append(path)
    return paths


def ankdown_command() -> list[str] | None:
    """ankdown's own command line, or None when it is not installed."""
    found = shutil.which("ankdown", path=str(Path(sys.executable).parent))
    return [found] if found else None


def run_ankdown(command: list[str], source: Path, output: Path) -> None:
    # --highlight: code is highlighted by Pygments, as deckgen does.
    run = [*command, "-r", str(source), "-p", str(output), "--highlight"]
    subprocess.run(run, check=True, capture_output=True)


def export_before(ref: str, into: Path) -> Path:
    """deckgen's package as it is at git `ref`, unpacked into `into` (for PYTHONPATH)."""
    repo = Path(__file__).resolve().parents[1]
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", ref, "deckgen"], check=True, capture_output=True
    ).stdout
    into.mkdir()
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


WALL: dict[str, list[float]] = defaultdict(list)  # wall seconds per figure, one per run
CPU: dict[str, list[float]] = defaultdict(list)  # CPU seconds (this process and children)


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(label: str, action: Callable[[], object]) -> None:
    """Time `action` under `label`: wall seconds, and CPU seconds over all processes (the
    steadier figure while others share the machine)."""
    cpu = cpu_seconds()
    started = time.perf_counter()
    action()
    WALL[label].append(time.perf_counter() - started)
    CPU[label].append(cpu_seconds() - cpu)


def wall(label: str) -> float:
    return statistics.median(WALL[label])


def cpu(label: str) -> float:
    return statistics.median(CPU[label])


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
    return len(structure_markdown().parse(normalize_newlines(path.read_text(encoding="utf-8"))))


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
    pool = make_pool(default_jobs(), None)
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
    parser.add_argument("--before", metavar="REF", help="also time deckgen at this git ref")
    args = parser.parse_args()
    allow_fork(True)  # as the `deckgen` command does: this process holds no threads

    with tempfile.TemporaryDirectory(prefix="deckgen-bench-") as temp:
        root = Path(temp)
        source = root / "cards"
        source.mkdir()
        paths = write_deck(source, args.cards, args.files, card_text)
        ankdown = ankdown_command()
        ankdown_source = root / "ankdown-cards"
        if ankdown is not None:
            ankdown_source.mkdir()
            write_deck(ankdown_source, args.cards, args.files, ankdown_card_text)
        before = export_before(args.before, root / "before") if args.before else None
        output = root / "out" / "bench.apkg"
        # The card cache of this run (its commands inherit it), emptied for each cold build.
        cache_dir = root / "card-cache"
        os.environ[CACHE_DIR_ENV] = str(cache_dir)

        def forget_caches() -> None:
            output.unlink(missing_ok=True)
            shutil.rmtree(cache_dir, ignore_errors=True)
            # Beside the output: the note record, and the build cache of deckgen before it.
            for suffix in (".notes.json", ".cache.json"):
                output.with_name(output.name + suffix).unlink(missing_ok=True)

        result = load([source], ANKI_HTML, use_cache=False)
        assert not result.errors, result.errors[:3]
        fields = [note.fields for file in result.files for note in file.rendered]
        del result  # keep only the HTML, so the floor runs in a lean process
        gc.collect()

        for run in range(args.repeat):
            timed("floor", lambda: floor_build(fields, root / "floor.apkg"))

            forget_caches()
            timed("cold", lambda: build([source], output))

            touch_one_card(paths[run % len(paths)], f"in process {run}")
            report = None

            def rebuild() -> None:
                nonlocal report
                report = build([source], output)

            timed("rebuild", rebuild)
            assert report is not None and report.notes_changed == 1, report
            # The same rebuild with the cyclic collector left on: what the build's pause buys.
            touch_one_card(paths[(run + 2) % len(paths)], f"collector on {run}")
            timed("rebuild gc", lambda: build_unpaused([source], output, None, None, True))

            for label, deckgen_from in (("before", before), ("cli", None)):
                if label == "before" and before is None:
                    continue
                forget_caches()
                timed(f"{label} cold", partial(run_cli, source, output, deckgen_from))
                touch_one_card(paths[(run + 1) % len(paths)], f"{label} {run}")
                timed(f"{label} rebuild", partial(run_cli, source, output, deckgen_from))
            if ankdown is not None:
                ankdown_out = root / "ankdown.apkg"
                timed("ankdown", partial(run_ankdown, ankdown, ankdown_source, ankdown_out))
            timed("start", start_only)
            timed("parse", lambda: over_all_cores(parse_only, paths))
            timed("plain", lambda: straightforward_build(paths, root / "plain.apkg"))

    floor = wall("floor")
    load_average = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"deckgen benchmark: {args.cards} cards in {args.files} files, median of {args.repeat}")
    print(f"machine: {os.cpu_count()} cores, load average {load_average}")
    print("wall seconds, ratio to the floor's wall, then CPU seconds over all processes:")
    figure("floor (bare genanki from ready HTML)", "floor", floor, "")
    figure("cold build (in process)", "cold", floor, "")
    figure("rebuild after one edited card", "rebuild", floor, "")
    figure("  the same, collector not paused", "rebuild gc", floor, "build_unpaused")
    figure("cold `python -m deckgen build`", "cli cold", floor, "with interpreter start")
    figure("  its rebuild after one edited card", "cli rebuild", floor, "target <= 2x")
    if WALL["ankdown"]:
        figure("ankdown 0.7.1 command (reference)", "ankdown", floor, "same cards, --highlight")
        compare("cold deckgen build vs ankdown", "ankdown", "cli cold", "faster (target >= 1.5x)")
    else:
        print("ankdown: not installed, skipped (pip install ankdown==0.7.1 to compare)")
    if WALL["before cold"]:
        print(f"before/after (`deckgen build` at {args.before} vs this checkout, as commands):")
        figure(f"  cold build at {args.before}", "before cold", floor, "")
        figure(f"  rebuild at {args.before}", "before rebuild", floor, "")
        compare("  cold: before / after", "before cold", "cli cold", "(>= 1.00: no fall-back)")
        compare("  rebuild: before / after", "before rebuild", "cli rebuild", "")
    print("for reference, on every core:")
    figure("  markdown-it-py parse alone", "parse", floor, "no HTML, no package")
    figure("  a command's start (imports)", "start", floor, "python -c 'import deckgen.build'")
    figure("  straightforward build", "plain", floor, "stock parts, no checks")


def figure(label: str, key: str, floor: float, note: str) -> None:
    ratio = f" = {wall(key) / floor:5.2f}x floor" if key != "floor" else " " * 17
    print(f"{label + ':':38s} {wall(key):7.3f} s{ratio}, CPU {cpu(key):6.3f} s  {note}".rstrip())


def compare(label: str, slower: str, faster: str, note: str) -> None:
    """How many times `faster` beats `slower`, by wall and by CPU seconds."""
    by_wall, by_cpu = wall(slower) / wall(faster), cpu(slower) / cpu(faster)
    print(f"{label + ':':38s} {by_wall:.2f}x by wall, {by_cpu:.2f}x by CPU {note}".rstrip())


def run_cli(source: Path, output: Path, deckgen_from: Path | None = None) -> None:
    """`python -m deckgen build` in a fresh interpreter; `deckgen_from` puts another copy of
    the package first on its path."""
    command = [sys.executable, "-m", "deckgen", "build", str(source), "-o", str(output)]
    env = dict(os.environ)
    if deckgen_from is not None:
        env["PYTHONPATH"] = str(deckgen_from)
    subprocess.run(command, check=True, capture_output=True, env=env, cwd=source)


def start_only() -> None:
    """What every `deckgen build` command pays before it reads a file: the interpreter and
    the imports (genanki, markdown-it-py, Pygments). With the floor, it bounds the rebuild."""
    subprocess.run([sys.executable, "-c", "import deckgen.build"], check=True)


def touch_one_card(path: Path, mark: str) -> None:
    """Edit the first card of `path` that says "at start-up" (one note changes)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("at start-up", f"at start-up ({mark})", 1), "utf-8")


if __name__ == "__main__":
    main()
