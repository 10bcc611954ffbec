"""The Expect lines of cards whose point is a measurement fail when the measurement says no.

Each sample is real client output (ids and pids as one run printed them); each change turns
one measured fact false, and the card's Expect must then reject the output. A card whose
Expect only matched fixed wording would accept every changed sample.
"""

from __future__ import annotations

import pytest
from cards_support import deck

from deckgen.expect import check_expect

CHORD = """\
chord: a group of square.s(n) for n in 0..9, then xsum.s() on the list of results
task id: 18ded354-8c3a-4caf-94aa-5ef25dde258a
state: SUCCESS (at 0.04 s)
result: 285
header results: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]
sum of the header results: 285, callback result: 285
the callback started 1 time(s), 0.007 s after the last header task stored its result
"""
GROUP = """\
completed: 10 of 10 tasks
results: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]
one job of 2 s cut into 8 small tasks: group(slow.s(0.25) x 8)
pieces done: 8 of 8, 1.03 s after sending; their run times add up to 2.03 s
they ran in 2 pool processes: verify@vm pid 2685, verify@vm pid 2723
at most 2 pieces were running at the same moment
"""
RETRYING = """\
calling flaky.delay(succeed_on_attempt=3): autoretry_for=(ConnectionError,)
state: RETRY (at 0.05 s)
state: SUCCESS (at 3.05 s)
result: {"attempts": 3, "retries": 2}
attempt 1 started at 0.02 s
retry 1 sent with an ETA 1.0 s ahead
attempt 2 started at 1.03 s, 1.01 s after attempt 1
retry 2 sent with an ETA 2.0 s ahead
attempt 3 started at 3.04 s, 2.01 s after attempt 2
"""
TIME_LIMIT = """\
time_limited has soft_time_limit=1 and time_limit=2 (seconds); it wants 5 s
state: SUCCESS (at 1.03 s)
result: soft time limit reached: cleaned up and stopped
state: FAILURE (at 2.03 s)
error: TimeLimitExceeded: 2
pool process 2685 of verify@vm was running it
pool process 2685 is gone from the pool of verify@vm
pool of verify@vm now: 2723, 2852 (2 of 2 processes)
"""
SLOW = """\
calling slow.delay(2): a task that takes 2 s
delay() returned after 0.020 s: the caller is free at once
result: slept 2 s
runtime in the worker: 2.00 s (task-succeeded event from verify@vm)
"""
SEND_TASK = """\
calling app.send_task("tasks.basic.add", args=(7, 8)): by name, no task code imported
task modules imported by the sender: none
the sender's app has the code of tasks.basic.add: False
result: 15
"""
RESTART = """\
redis: restart no
worker: restart unless-stopped
beat: restart unless-stopped
flower: restart unless-stopped
"""
CHAIN = """\
the | operator built: tasks.workflows.add(2, 2) | mul(10) | add(1)
equal to chain(add.s(2, 2), mul.s(10), add.s(1)): True
result: 41
"""
PARTIAL = """\
partial: add.s(10) is tasks.workflows.add(10): one argument still missing
partial.delay(5) sends tasks.workflows.add(5, 10): the new argument goes first
result: 15
"""

# card id -> (sample output, [(text, replacement that makes the card's point false)])
CASES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "canvas-chord": (
        CHORD,
        [
            ("callback result: 285", "callback result: 284"),
            ("started 1 time(s)", "started 2 time(s)"),
            ("0.007 s after", "-0.002 s after"),
        ],
    ),
    "reliability-small-tasks": (
        GROUP,
        [
            ("at most 2 pieces", "at most 1 pieces"),
            ("2 pool processes: verify@vm pid 2685, ", "1 pool processes: "),
            ("add up to 2.03 s", "add up to 0.03 s"),
        ],
    ),
    "reliability-retry-backoff": (
        RETRYING,
        [
            ("ETA 1.0 s", "ETA 0.0 s"),
            ("ETA 2.0 s", "ETA 1.0 s"),
            ("attempt 3 started at 3.04 s", "attempt 3 started at 2.04 s"),
        ],
    ),
    "reliability-hard-time-limit": (
        TIME_LIMIT,
        [
            ("pool process 2685 is gone", "pool process 2685 is still in"),
            ("(2 of 2 processes)", "(1 of 2 processes)"),
            ("TimeLimitExceeded", "SoftTimeLimitExceeded"),
        ],
    ),
    "reliability-soft-time-limit": (TIME_LIMIT, [("SUCCESS (at 1.03 s)", "SUCCESS (at 5.03 s)")]),
    "why-offload-heavy-work": (
        SLOW,
        [
            ("returned after 0.020 s", "returned after 2.020 s"),
            ("returned after 0.020 s", "returned after 0.250 s"),
            ("runtime in the worker: 2.00 s", "runtime in the worker: 0.00 s"),
        ],
    ),
    "task-send-task-by-name": (SEND_TASK, [("add: False", "add: True")]),
    "why-event-driven": (
        SEND_TASK,
        [("add: False", "add: True"), ("sender: none", "sender: tasks, tasks.basic")],
    ),
    "compose-restart-policy": (RESTART, [("worker: restart unless-stopped", "worker: restart no")]),
    "canvas-chain-pipe": (CHAIN, [("add.s(1)): True", "add.s(1)): False")]),
    "canvas-partial-prepends": (PARTIAL, [("add(5, 10):", "add(10, 5):")]),
}


def expect_of(card_id: str) -> str:
    (card,) = [card for card in deck() if card.id == card_id]
    assert card.run is not None and card.run.expect
    return card.run.expect


@pytest.mark.parametrize("card_id", sorted(CASES))
def test_real_output_passes_and_each_false_fact_fails(card_id: str) -> None:
    expect = expect_of(card_id)
    sample, changes = CASES[card_id]
    assert check_expect(expect, sample).ok, check_expect(expect, sample).describe()
    for old, new in changes:
        assert old in sample, old
        changed = sample.replace(old, new, 1)
        assert not check_expect(expect, changed).ok, f"{card_id} accepts {new!r}"


def test_restart_policy_is_not_satisfied_by_a_bare_count() -> None:
    assert not check_expect(expect_of("compose-restart-policy"), "3\n").ok
