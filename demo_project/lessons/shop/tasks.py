"""Tasks of the stand-in app. They use ``shared_task``: no import of any project's Celery app."""

from celery import shared_task


@shared_task
def confirm_order(order_id: int) -> str:
    return f"order {order_id} confirmed"


@shared_task
def broken_export() -> None:
    raise RuntimeError("export target unavailable")
