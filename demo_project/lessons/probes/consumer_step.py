"""A consumer bootstep for ``lessons.bootsteps_demo consumer-step`` (loaded with ``--include``):
the worker also consumes plain JSON messages, not Celery tasks, from a queue of its own."""

from typing import Any

from celery import bootsteps
from config.celery_app import app
from kombu import Consumer, Exchange, Message, Queue

AUDIT_QUEUE = Queue("lesson-audit-events", Exchange("lesson-audit-events"), "audit")


class AuditEventsStep(bootsteps.ConsumerStep):
    def get_consumers(self, channel: Any) -> list[Consumer]:
        return [Consumer(channel, queues=[AUDIT_QUEUE], callbacks=[self.handle], accept=["json"])]

    def handle(self, body: Any, message: Message) -> None:
        print(f"AuditEventsStep received {body!r}", flush=True)
        message.ack()


app.steps["consumer"].add(AuditEventsStep)
