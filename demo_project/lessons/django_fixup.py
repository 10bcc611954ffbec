"""What switches on Celery's Django fix-up: the ``DJANGO_SETTINGS_MODULE`` variable.

A Celery app is created twice, without and with the variable. This machine has no Django, so
with the variable set Celery says it would have applied the fix-up (the one that calls
``django.setup()`` in a worker) and cannot; without it, Celery does not look for Django.
"""

from __future__ import annotations

import os
import warnings

from celery import Celery


def fixup_warnings() -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Celery("fixup-lesson", set_as_current=False)
    said = [" ".join(str(w.message).split()) for w in caught if "Django" in str(w.message)]
    return [f"FixupWarning: {text}" for text in said]


def main() -> None:
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    found = fixup_warnings()
    print(f"without DJANGO_SETTINGS_MODULE: {found or 'no fix-up attempted'}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "shop.settings"
    for warning in fixup_warnings():
        print(f"with DJANGO_SETTINGS_MODULE=shop.settings: {warning}")


if __name__ == "__main__":
    main()
