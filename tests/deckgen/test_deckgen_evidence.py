"""The proof on the answer in Anki, once: a card's recorded output (`X.verified.json`)
under "What it printed, verified <date>" with the lines its Expect checks marked; without a
recording, its Expect without raw `re:` patterns."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from anki.collection import Collection
from deckgen_support import import_apkg, run_deckgen

from deckgen.build import build
from deckgen.cardformat.recordings import Recording, recordings_path, save_recordings

DECK = textwrap.dedent(
    """\
    # Proof

    ## Pinging
    **ID:** ping
    **Front:** How do you ask every worker to answer?
    **Back:** `celery inspect ping`
    **Run:** `celery -A config.celery_app inspect ping`
    **Expect:**
    ```
    pong
    re: ^-> \\S+@\\S+: OK$
    re: nodes? online
    ```

    ## Unrecorded
    **ID:** unrecorded
    **Front:** Which command lists the registered tasks?
    **Back:** `celery inspect registered`
    **Run:** `celery -A config.celery_app inspect registered`
    **Expect:** `re: tasks\\.`
    """
)
OUTPUT = "        pong <&> done\n-> verify@vm: OK\n\n1 node online."


def answers(col: Collection, package: Path) -> dict[str, str]:
    """Each card's answer HTML as Anki renders it, by the first words of its question."""
    import_apkg(col, package, with_scheduling=False)
    cards = [col.get_card(card_id) for card_id in col.find_cards("")]
    return {("ping" if "answer?" in c.question() else "unrecorded"): c.answer() for c in cards}


def test_recorded_output_and_plain_expect_on_the_answer(
    tmp_path: Path, collection: Collection
) -> None:
    deck = tmp_path / "cards" / "proof.md"
    deck.parent.mkdir()
    deck.write_text(DECK, encoding="utf-8")
    save_recordings(deck, {"ping": Recording("2026-12-01", "5.7.0", OUTPUT)})
    out = tmp_path / "out.apkg"
    assert build([deck.parent], out).ok

    shown = answers(collection, out)
    ping = shown["ping"]
    assert '<div class="deckgen-output">' in ping
    assert "What it printed, verified 2026-12-01" in ping
    assert "pong &lt;&amp;&gt; done" in ping and "1 node online." in ping
    proof = re.findall(r'<span class="deckgen-proof"[^>]*>(.*?)</span>', ping)
    assert proof == ["        pong &lt;&amp;&gt; done", "-&gt; verify@vm: OK", "1 node online."]
    assert "Expect" not in ping and "pattern check" not in ping  # the proof appears once
    assert "re:" not in ping and "\\S+" not in ping
    unrecorded = shown["unrecorded"]
    assert 'class="deckgen-output"' not in unrecorded and "What it printed" not in unrecorded
    assert "1 pattern check<" in unrecorded and "re:" not in unrecorded

    # A new recording (same card text) reaches the cached build.
    save_recordings(deck, {"ping": Recording("2026-12-03", "5.7.1", "-> w@h: OK\npong")})
    report = build([deck.parent], out)
    assert report.notes_changed == 1 and report.cards_rendered == 2
    assert "verified 2026-12-03" in answers(collection, out)["ping"]


def test_malformed_recordings_are_one_error_line(tmp_path: Path) -> None:
    deck = tmp_path / "proof.md"
    deck.write_text(DECK, encoding="utf-8")
    broken = recordings_path(deck)
    broken.write_text('{"format": 1,\n "cards": [}\n', encoding="utf-8")
    result = run_deckgen("build", deck, "-o", tmp_path / "out.apkg")
    assert result.returncode == 1
    assert result.stderr.startswith(f"{broken}:2: not valid JSON")
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "out.apkg").exists()
