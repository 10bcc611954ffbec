"""An idempotent task can run twice (a retry, a redelivery) with the effect of running once."""

from __future__ import annotations

from celery import Celery

app = Celery("idempotency-lesson", broker="memory://", set_as_current=False)
app.conf.task_always_eager = True
ledger: dict[str, int] = {}  # stands for a table of credits per customer
applied_payments: set[str] = set()


@app.task
def add_credits_blindly(customer: str, amount: int) -> int:
    ledger[customer] = ledger.get(customer, 0) + amount
    return ledger[customer]


@app.task
def add_credits_once(customer: str, amount: int, payment_id: str) -> int:
    # The payment id makes a repeated delivery a no-op.
    if payment_id not in applied_payments:
        applied_payments.add(payment_id)
        ledger[customer] = ledger.get(customer, 0) + amount
    return ledger[customer]


def main() -> None:
    for _ in range(2):  # the same message delivered twice
        add_credits_blindly.delay("ana", 10)
    print(f"not idempotent, delivered twice: ana has {ledger['ana']} credits, not 10")
    for _ in range(2):
        add_credits_once.delay("ben", 10, payment_id="pay-42")
    print(f"idempotent, delivered twice: ben has {ledger['ben']} credits")


if __name__ == "__main__":
    main()
