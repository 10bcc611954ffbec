"""Run the real StudyApp headless, start the demo worker service (the W key), report it.

Usage: python app_with_worker.py CARDS_DIR DATA_DIR REPORT_FILE
Writes "<app pid> <service pgid>" to REPORT_FILE once the worker answers a ping, then keeps
running until a signal ends it. The runner tests then signal it and look for leftovers.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from studyapp.runner import probes
from studyapp.study import Study
from studyapp.tui.app import StudyApp


class ReportingApp(StudyApp):
    def on_mount(self) -> None:
        super().on_mount()
        self.run_worker(self._start_and_report(), exclusive=True)

    async def _start_and_report(self) -> None:
        await self.action_start_worker()
        service = self.services.get("worker")
        assert service is not None and service.pgid is not None
        broker = service.command.env["CELERY_BROKER_URL"]
        while not await asyncio.to_thread(probes.worker_answers, broker):
            await asyncio.sleep(0.1)
        Path(sys.argv[3]).write_text(f"{os.getpid()} {service.pgid}\n")


if __name__ == "__main__":
    study = Study.open([Path(sys.argv[1])], Path(sys.argv[2]))
    try:
        ReportingApp(study).run(headless=True)
    finally:
        study.close()
