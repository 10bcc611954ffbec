"""The one atomic-write helper (deckgen/atomic.py) used by deckgen and the study app."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckgen.atomic import atomic_path, replace_with, write_atomic, write_temp


def test_write_replaces_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "settings.toml"
    write_atomic(target, "first\n")
    assert target.read_text() == "first\n"
    assert target.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
    target.chmod(0o600)
    write_atomic(target, b"second\n")
    assert target.read_bytes() == b"second\n"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["settings.toml"]


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "deck.apkg"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as temp:
        temp.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["deck.apkg"]


def test_temp_then_replace_in_two_steps(tmp_path: Path) -> None:
    target = tmp_path / "deck.apkg.notes.json"
    temp = write_temp(target, "{}")
    assert temp.parent == tmp_path and temp.read_text() == "{}" and not target.exists()
    replace_with(temp, target)
    assert target.read_text() == "{}" and not temp.exists()
