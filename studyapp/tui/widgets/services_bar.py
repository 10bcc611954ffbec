"""ServicesBar: one line showing Redis / worker / beat / Flower as up or down.

The probes block (a socket PING, a broadcast ping with a 0.5 s reply window), so they run in
a thread worker on an interval timer and post the answer back with `call_from_thread`.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from studyapp.runner.services import ServiceManager, StackStatus

REFRESH_SECONDS = 3.0


def services_of(app: object) -> ServiceManager:
    """The app's service manager (the StudyApp has one); a private one in any other app."""
    found = getattr(app, "services", None)
    return found if isinstance(found, ServiceManager) else ServiceManager()


class ServicesBar(Static):
    @dataclass
    class Changed(Message):
        """A probe answered (every few seconds while shown)."""

        status: StackStatus

    def __init__(self, manager: ServiceManager | None = None, *, id: str | None = None) -> None:
        super().__init__("services: checking…", id=id, markup=False)
        self._manager = manager
        self.status: StackStatus | None = None

    @property
    def manager(self) -> ServiceManager:
        if self._manager is None:
            self._manager = services_of(self.app)
        return self._manager

    def on_mount(self) -> None:
        self.refresh_status()
        self.set_interval(REFRESH_SECONDS, self.refresh_status)

    def refresh_status(self) -> None:
        if self._shown():
            self._probe()

    def _shown(self) -> bool:
        """Probe only while visible (inside a hidden RunPanel it would be wasted work)."""
        return all(node.display for node in self.ancestors_with_self if isinstance(node, Widget))

    @work(thread=True, exclusive=True, group="services-probe")
    def _probe(self) -> None:
        status = self.manager.stack_status()
        self.app.call_from_thread(self.show_status, status)

    def show_status(self, status: StackStatus) -> None:
        self.status = status
        managed = sum(1 for s in self.manager.services if s.running)
        # Short enough for one line at 80 columns with every part named.
        suffix = f"   (S: {managed} started here)" if managed else "   (S: services)"
        self.update(status.as_text() + suffix)
        self.set_class(not status.redis, "-redis-down")
        self.post_message(self.Changed(status))
