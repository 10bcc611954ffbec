"""Ctrl-C typed in a real terminal quits the study app and stops what it started.

In a terminal Textual reads keys raw, so Ctrl-C arrives as a key, not as SIGINT: the real
`studyapp` runs in a pseudo-terminal, a service card is started with the learner's keys, then
the Ctrl-C byte is typed and every process below the app must be gone.
"""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest
from runner_procs import Proc, descendants, kill_leftovers, proc_alive, wait_until
from runner_support import card_markdown, write_deck

from studyapp.locations import DataFolder
from studyapp.runner.trust import TrustStore

LOOP_SCRIPT = "import time\nwhile True:\n    print('tick', flush=True); time.sleep(0.2)"
STUDYAPP = Path(sys.executable).parent / "studyapp"


class Terminal:
    """A pseudo-terminal of a given size; what the program writes is drained and kept."""

    def __init__(self, columns: int, rows: int) -> None:
        self.master, self.slave = os.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.screen = bytearray()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return  # the program closed its end
            if not chunk:
                return
            self.screen.extend(chunk)

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> None:
        os.close(self.slave)
        os.close(self.master)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_ctrl_c_quits_and_stops_every_process_the_app_started(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    cards = tmp_path / "cards"
    cards.mkdir()
    deck = write_deck(
        cards / "svc.md", card_markdown("loop", f'python -c "{LOOP_SCRIPT}"', service=True)
    )
    data = tmp_path / "data"
    TrustStore(DataFolder(data).trusted_files).trust(deck)  # no confirmation dialog in the way
    terminal = Terminal(*size)
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(size[0]), LINES=str(size[1]))
    app = subprocess.Popen(
        [str(STUDYAPP), "--data-dir", str(data), str(cards)],
        stdin=terminal.slave,
        stdout=terminal.slave,
        stderr=terminal.slave,
        env=env,
        start_new_session=True,
    )
    started: set[Proc] = set()
    try:
        assert wait_until(lambda: b"All decks" in terminal.screen, 30), bytes(terminal.screen)
        terminal.type(b"\r")  # review the only deck
        assert wait_until(lambda: b"Show answer" in terminal.screen, 15)
        terminal.type(b" ")  # the answer
        assert wait_until(lambda: b"press r to run" in terminal.screen, 15)
        terminal.type(b"r")  # the service starts, in a session of its own
        assert wait_until(lambda: len(descendants(app.pid)) >= 1, 15)
        started = descendants(app.pid)
        terminal.type(b"\x03")  # Ctrl-C, as the terminal sends it
        assert app.wait(timeout=30) == 0
        assert wait_until(lambda: not any(proc_alive(p) for p in started), 5), [
            p for p in started if proc_alive(p)
        ]
    finally:
        if app.poll() is None:
            os.killpg(app.pid, signal.SIGKILL)
            app.wait()
        kill_leftovers(started)
        terminal.close()
