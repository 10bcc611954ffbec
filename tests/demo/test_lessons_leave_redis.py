"""The lessons and client examples leave the machine as they found it: the broker's Redis keys
(db 0) for the cards that make queues of their own, and the temporary folder for the cards
that make temporary files, before and after `studyapp verify` runs their cards."""

import re
import subprocess
import sys
from pathlib import Path

import redis

from deckgen.cardformat.load import load
from demo_project.contract import DEMO_DIR
from demo_project.launch import RedisServer, Worker

# Cards whose command declares queues, starts workers, beat or Flower, or reads the broker.
QUEUE_MAKERS = re.compile(
    r"lessons\.(queue_in_redis|priority_steps|busy_worker|beat_lock|beat_sends|get_timeout"
    r"|flower_auth)\b|client (priority|offline|route|send-task|unregistered)\b"
)


IN_FLIGHT = {"unacked", "unacked_index", "unacked_mutex"}


# A card's command, or the lesson module or script it runs, that makes temporary files.
TEMP_MAKERS = re.compile(r"mktemp|tempfile\.|mkdtemp|mkstemp")
LESSON_OF = re.compile(r"lessons[./](\w+)")


def _makes_temporary_files(command: str) -> bool:
    if TEMP_MAKERS.search(command):
        return True
    for name in LESSON_OF.findall(command):
        for source in (DEMO_DIR / "lessons").glob(f"{name}.*"):
            if TEMP_MAKERS.search(source.read_text()):
                return True
    return False


def _verify(card_ids: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    studyapp = Path(sys.executable).parent / "studyapp"
    command = [str(studyapp), "verify", "--jobs", "2"]
    for card_id in card_ids:
        command += ["--card", card_id]
    return subprocess.run(
        [*command, str(DEMO_DIR.parent / "cards")],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_lessons_leave_no_temporary_folder_behind(
    tmp_path: Path, demo_env: dict[str, str], module_worker: Worker
) -> None:
    cards = load([DEMO_DIR.parent / "cards"]).cards
    chosen = [card.id for card in cards if card.run and _makes_temporary_files(card.run.command)]
    # beat start, worker --beat (both stopped as services once their Expect shows), ...
    assert {"beat-start-command", "beat-embedded-in-worker"} <= set(chosen), chosen
    scratch = tmp_path / "tmp"  # mktemp and Python's tempfile both honour TMPDIR
    scratch.mkdir()
    done = _verify(chosen, dict(demo_env, TMPDIR=str(scratch)))
    assert done.returncode == 0, done.stdout[-3000:]
    assert sorted(path.name for path in scratch.iterdir()) == []


def test_lessons_leave_the_broker_keys_as_they_found_them(
    redis_server: RedisServer, demo_env: dict[str, str], module_worker: Worker
) -> None:
    cards = load([DEMO_DIR.parent / "cards"]).cards
    chosen = [card.id for card in cards if card.run and QUEUE_MAKERS.search(card.run.command)]
    assert len(chosen) >= 8, chosen
    broker = redis.Redis.from_url(redis_server.url(0), decode_responses=True)
    before = {str(key) for key in broker.scan_iter()}
    done = _verify(chosen, demo_env)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "using the workers already answering" in done.stdout  # this module's Redis
    after = {str(key) for key in broker.scan_iter()}
    broker.close()
    assert after - before == set()
    # kombu's bookkeeping of messages in flight comes and goes with the module's worker
    # (a message of an earlier test still being acked when `before` was read).
    assert before - after - IN_FLIGHT == set()


# What starts a process in a session of its own, out of reach of a stop sent to the card's
# process group: only the lesson's own cleanup can end it.
OWN_SESSION = re.compile(r"start_new_session=True|\bWorker\(|\bRedisServer\(|private_worker\(")


def test_lessons_that_start_processes_of_their_own_clean_up_on_a_stop() -> None:
    """The study app stops a card's command with SIGTERM; Python's default for it skips every
    `finally`, so a lesson that started a worker or a Redis would leave it running for good
    (lessons.worker_loop did: tests/runner/test_runner_cleanup.py shows the stop itself)."""
    lessons = sorted((DEMO_DIR / "lessons").glob("*.py"))
    starters = [path for path in lessons if OWN_SESSION.search(path.read_text())]
    assert len(starters) >= 10, starters
    unhandled = [
        path.name
        for path in starters
        if "exit_on_sigterm()" not in path.read_text() and path.name != "private_worker.py"
        and "private_worker(" not in path.read_text()
    ]  # fmt: skip
    assert unhandled == []
    assert "exit_on_sigterm()" in (DEMO_DIR / "lessons" / "private_worker.py").read_text()
