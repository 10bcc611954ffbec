"""Small arithmetic tasks to compose into chains, groups and chords (with tasks.basic.add:
one task per name, so `add` always means the same task)."""

from celery import shared_task


@shared_task
def mul(x: int, y: int) -> int:
    return x * y


@shared_task
def xsum(numbers: list[int]) -> int:
    """Chord callback: receives the list of the group's results."""
    return sum(numbers)


@shared_task
def square(x: int) -> int:
    return x * x
