"""The command line: build, check, list [--json], watch, --help, python -m deckgen."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from deckgen_support import REPO, run_deckgen

from deckgen.cli import ProgressBar, main


def test_build_prints_one_summary_line_and_writes_a_package(sample_deck: Path) -> None:
    out = sample_deck.parent.parent / "out" / "celery.apkg"
    result = run_deckgen("build", sample_deck.parent, "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert re.fullmatch(
        rf"built {re.escape(str(out))}: 1 deck, 5 cards in \d+\.\d\d s \(5 notes changed\)\n",
        result.stdout,
    )
    with zipfile.ZipFile(out) as package:
        assert {"collection.anki2", "media"} <= set(package.namelist())
    assert out.with_name("celery.apkg.notes.json").is_file()
    leftovers = [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_check_is_silent_on_good_cards(sample_deck: Path) -> None:
    assert main(["check", str(sample_deck)]) == 0


def test_list_prints_one_row_per_card(
    sample_deck: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["list", str(sample_deck)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "id\tdeck\ttitle\ttags\ttype\trun\tlocation"
    assert len(lines) == 6
    assert lines[2].split("\t") == [
        "task-queue-basics/starting-a-worker",
        "Task Queue Basics",
        "Starting a worker",
        "worker cli",
        "basic",
        "",
        f"{sample_deck}:8",
    ]
    assert lines[4].split("\t")[5] == "celery -A config.celery_app inspect ping"


def test_list_json(sample_deck: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--json", str(sample_deck)]) == 0
    cards = json.loads(capsys.readouterr().out)
    assert [c["type"] for c in cards] == ["basic", "basic", "basic", "basic", "cloze"]
    ping = cards[3]
    assert ping == {
        "id": "celery-ping",
        "deck": "Task Queue Basics",
        "title": "Pinging the workers",
        "tags": [],
        "type": "basic",
        "run": "celery -A config.celery_app inspect ping",
        "location": f"{sample_deck}:26",
        "path": str(sample_deck),
        "line": 26,
    }


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["list"], ["watch"]])
def test_help_for_every_command(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: deckgen" in capsys.readouterr().out


def test_python_dash_m_and_console_script_agree(sample_deck: Path) -> None:
    module = run_deckgen("list", "--json", sample_deck, fresh_process=True)
    script = Path(sys.executable).with_name("deckgen")
    console = subprocess.run(
        [str(script), "list", "--json", str(sample_deck)], capture_output=True, text=True
    )
    assert module.returncode == console.returncode == 0
    assert json.loads(module.stdout) == json.loads(console.stdout)


def wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_watch_rebuilds_when_a_card_changes(sample_deck: Path, tmp_path: Path) -> None:
    out = tmp_path / "watched.apkg"
    process = subprocess.Popen(
        [sys.executable, "-m", "deckgen", "watch", str(sample_deck.parent), "-o", str(out)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or []), daemon=True)
    reader.start()

    def summaries() -> list[str]:
        return [line for line in list(lines) if line.startswith("built ")]

    try:
        wait_for(lambda: len(summaries()) == 1)
        time.sleep(0.5)  # let the watcher settle before the edit
        text = sample_deck.read_text(encoding="utf-8")
        sample_deck.write_text(text.replace("The countdown", "That countdown"), "utf-8")
        wait_for(lambda: len(summaries()) >= 2)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    assert summaries()[0].endswith("(5 notes changed)\n")
    assert summaries()[-1].endswith("(1 note changed)\n")


def test_progress_bar_only_for_long_builds() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar(5, 10)
    bar.finish()
    assert stream.getvalue() == ""
    bar(1000, 2000)
    bar(2000, 2000)
    bar.finish()
    shown = stream.getvalue()
    assert "rendering [" in shown and "1000/2000 cards" in shown and "2000/2000 cards" in shown
    assert shown.endswith("\r\x1b[K")
