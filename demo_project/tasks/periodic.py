"""Tasks the beat schedule sends (see CELERY_BEAT_SCHEDULE in config.settings)."""

import time

from celery import shared_task
from celery.utils.log import get_task_logger
from tasks import store

logger = get_task_logger(__name__)

HEARTBEAT_KEY = "demo:beat:heartbeat"


@shared_task
def heartbeat(source: str, note: str = "") -> str:
    """Interval entry: logs and records when it ran so a test can see beat firing."""
    logger.info("heartbeat from %s (%s)", source, note)
    store.append(HEARTBEAT_KEY, f"{time.time():.3f} {source} {note}".strip())
    return f"heartbeat from {source}"


@shared_task
def weekly_summary(team: str, include_failures: bool = False) -> str:
    """Crontab entry (Mondays 07:30): stands for a weekly report."""
    scope = "with failures" if include_failures else "successes only"
    logger.info("weekly summary for %s (%s)", team, scope)
    return f"weekly summary for {team} ({scope})"
