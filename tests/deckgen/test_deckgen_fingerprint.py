"""The card cache follows a change to deckgen's rules: it keys on one fingerprint of the
whole package (deckgen/cardformat/digests.py), for the build and the study app alike.

A copy of deckgen with a changed id rule runs in real processes, as after an upgrade.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from anki.collection import Collection
from deckgen_support import REPO, SAMPLE_DECK, import_apkg

from deckgen.anki_package import note_guid

STUDY_IDS = """\
import json, sys
from pathlib import Path
from deckgen.cardformat.load import load
result = load([Path(sys.argv[1])])
print(json.dumps([card.id for card in result.cards]))
"""


@pytest.fixture
def deckgen_copy(tmp_path: Path) -> Path:
    """A copy of the deckgen package to edit; PYTHONPATH puts it before the installed one."""
    lib = tmp_path / "lib"
    shutil.copytree(REPO / "deckgen", lib / "deckgen", ignore=shutil.ignore_patterns("__pycache__"))
    return lib


def run(lib: Path, cwd: Path, *args: str) -> str:
    # The edited copy first; the checkout after it for the study app.
    path = os.pathsep.join([str(lib), str(REPO)])
    env = dict(os.environ, PYTHONPATH=path, PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def listed_ids(lib: Path, cwd: Path) -> list[str]:
    cards = json.loads(run(lib, cwd, "-m", "deckgen", "list", "cards", "--json"))
    return [card["id"] for card in cards]


def package_guids(col: Collection, package: Path) -> set[str]:
    import_apkg(col, package, with_scheduling=False)
    return {col.get_note(note_id).guid for note_id in col.find_notes("")}


def test_changed_id_rule_reaches_the_cached_build_and_study(
    deckgen_copy: Path, tmp_path: Path, collection: Collection
) -> None:
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "basics.md").write_text(SAMPLE_DECK, encoding="utf-8")
    build = ("-m", "deckgen", "build", "cards", "-o", "out/deck.apkg")
    study = ("-c", STUDY_IDS, "cards", str(tmp_path / "study-data"))
    run(deckgen_copy, tmp_path, *build)  # fills the card cache
    old_ids = listed_ids(deckgen_copy, tmp_path)
    assert json.loads(run(deckgen_copy, tmp_path, *study)) == old_ids  # read from the card cache
    assert "task-queue-basics/what-a-broker-does" in old_ids

    ids_module = deckgen_copy / "deckgen" / "cardformat" / "ids.py"
    rule = 'ID_SEPARATOR = "/"'
    assert rule in ids_module.read_text()
    ids_module.write_text(ids_module.read_text().replace(rule, 'ID_SEPARATOR = "::"'))

    new_ids = listed_ids(deckgen_copy, tmp_path)
    assert "task-queue-basics::what-a-broker-does" in new_ids
    run(deckgen_copy, tmp_path, *build)  # the cards are unchanged: only the rule moved
    assert package_guids(collection, tmp_path / "out/deck.apkg") == {
        note_guid(card_id) for card_id in new_ids
    }
    assert json.loads(run(deckgen_copy, tmp_path, *study)) == new_ids
