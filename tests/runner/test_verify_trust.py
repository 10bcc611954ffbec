"""`studyapp verify` follows the one trust rule: the project's own course runs at once, a deck
from elsewhere only once confirmed (in a terminal, remembered per content) or with `--yes`.

A marker file written by the foreign card's command proves whether anything ran.
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deckgen.course import checkout_cards, is_course_file
from studyapp.locations import DataFolder
from studyapp.runner.trust import TrustStore

STUDYAPP = str(Path(sys.executable).parent / "studyapp")
COURSE = checkout_cards()
assert COURSE is not None, "these tests run from a checkout"
COURSE_FILE = COURSE / "Celery" / "02-setting-up.md"


@pytest.fixture
def foreign(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of a course file, as downloaded from elsewhere, plus a card that leaves a mark."""
    marker = tmp_path / "ran-marker"
    deck = tmp_path / "their-cards" / COURSE_FILE.name
    deck.parent.mkdir()
    shutil.copyfile(COURSE_FILE, deck)
    with deck.open("a", encoding="utf-8") as out:
        out.write(
            f"\n## Marker?\n**ID:** marker\n**Front:** q\n**Back:** a\n**Run:** `touch {marker}`\n"
        )
    return deck, marker


def _verify(
    deck: Path, data: Path, env: dict[str, str], *extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [STUDYAPP, "verify", "--card", "marker", "--data-dir", str(data), *extra, str(deck)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def test_the_course_is_trusted_and_a_copy_of_it_is_not(
    foreign: tuple[Path, Path], tmp_path: Path
) -> None:
    deck, _ = foreign
    trust = TrustStore(DataFolder(tmp_path / "data").trusted_files)
    assert is_course_file(COURSE_FILE) and trust.is_trusted(COURSE_FILE)
    assert not is_course_file(deck) and not trust.is_trusted(deck)
    assert not trust.path.exists()  # nothing had to be remembered for the course


def test_without_a_terminal_a_foreign_deck_is_refused_before_anything_runs(
    foreign: tuple[Path, Path], tmp_path: Path
) -> None:
    deck, marker = foreign
    result = _verify(deck, tmp_path / "data", dict(os.environ))
    assert result.returncode == 1
    assert result.stdout == ""  # no stack started, no card run
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"{deck}: ") and "--yes" in result.stderr
    assert not marker.exists()


def test_yes_runs_a_foreign_deck_without_asking(
    foreign: tuple[Path, Path], tmp_path: Path, running_stack: dict[str, str]
) -> None:
    deck, marker = foreign
    result = _verify(deck, tmp_path / "data", running_stack, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert marker.exists()
    assert not DataFolder(tmp_path / "data").trusted_files.exists()  # --yes is not remembered


def _read_until(fd: int, wanted: bytes, seen: bytes, timeout: float = 60) -> bytes:
    deadline = time.monotonic() + timeout
    while wanted not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen


def _verify_in_terminal(
    deck: Path, data: Path, env: dict[str, str], answer: bytes
) -> tuple[int, str, bool]:
    """Run verify in a pseudo-terminal, answer its question: (exit, output, marker before)."""
    marker = deck.parent.parent / "ran-marker"
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(
            STUDYAPP,
            [STUDYAPP, "verify", "--card", "marker", "--data-dir", str(data), str(deck)],
            env,
        )
    try:
        seen = _read_until(fd, b"[y/N] ", b"")
        ran_before_answer = marker.exists()
        assert b"[y/N] " in seen, seen
        os.write(fd, answer)
        seen = _read_until(fd, b"\0", seen)  # to the end of its output
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace"), ran_before_answer


def test_in_a_terminal_it_asks_first_and_remembers_the_answer_per_content(
    foreign: tuple[Path, Path], tmp_path: Path, running_stack: dict[str, str]
) -> None:
    deck, marker = foreign
    data = tmp_path / "data"
    status, output, ran_early = _verify_in_terminal(deck, data, running_stack, b"n\r")
    assert (status, ran_early, marker.exists()) == (1, False, False), output
    assert f"Card file: {deck}" in output and f"marker: touch {marker}" in output

    status, output, ran_early = _verify_in_terminal(deck, data, running_stack, b"y\r")
    assert (status, ran_early) == (0, False), output
    assert marker.exists() and re.search(r"PASS  marker", output)

    marker.unlink()  # confirmed: the same content now runs without a terminal
    assert _verify(deck, data, running_stack).returncode == 0 and marker.exists()
    marker.unlink()  # and any edit asks again
    deck.write_text(deck.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    refused = _verify(deck, data, running_stack)
    assert refused.returncode == 1 and "--yes" in refused.stderr and not marker.exists()
