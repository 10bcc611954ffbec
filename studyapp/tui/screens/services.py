"""ServicesScreen: the services this app started; stop one or all, or start a worker."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label

from studyapp.runner.services import (
    WORKER_COMMAND,
    WORKER_SERVICE_NAME,
    ManagedService,
    ServiceKind,
    ServiceManager,
)
from studyapp.tui.widgets.services_bar import ServicesBar


async def start_demo_worker(app: App[Any], manager: ServiceManager) -> ManagedService | None:
    """Start the demo worker (every demo queue) as a managed service and say so."""
    try:
        service = await manager.start(WORKER_SERVICE_NAME, WORKER_COMMAND, ServiceKind.WORKER)
    except OSError as exc:
        app.notify(f"Could not start a worker: {exc}", severity="error", markup=False)
        return None
    app.notify(f"Worker starting (pid {service.process.pid if service.process else '?'})")
    return service


def _state(service: ManagedService) -> str:
    if service.running:
        return "running"
    if service.outcome is None:
        return "starting"
    return service.outcome.status_text()


class ServicesScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("x", "stop_selected", "Stop"),
        Binding("X", "stop_all", "Stop all"),
        Binding("W", "start_worker", "Start worker"),
    ]

    def __init__(self, manager: ServiceManager) -> None:
        super().__init__()
        self.manager = manager

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Services started by this app (all are stopped when it exits)")
        yield DataTable(id="services-table", cursor_type="row")
        yield ServicesBar(self.manager, id="services-bar")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("name", "kind", "state", "pid", "command")
        self.refresh_table()
        self.set_interval(1.0, self.refresh_table)

    def refresh_table(self) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for service in self.manager.services:
            pid = str(service.process.pid) if service.process else "-"
            command = service.command.display().replace("\n", " ⏎ ")
            table.add_row(
                service.name, str(service.kind), _state(service), pid, command, key=service.name
            )
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    def _selected(self) -> ManagedService | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.manager.get(key) if key is not None else None

    async def action_stop_selected(self) -> None:
        service = self._selected()
        if service is not None and service.running:
            await service.stop()
            self.notify(f"Stopped {service.name}", markup=False)
        self.refresh_table()

    def action_stop_all(self) -> None:
        self._stop_services()

    @work(exclusive=True, group="stop-services")
    async def _stop_services(self) -> None:
        # Only the managed services: a one-shot command in a panel is not ours to end, and
        # the stops run in the event loop, so the screen stays responsive meanwhile.
        self.notify("Stopping every service…")
        await self.manager.stop_services()
        self.notify("Stopped every service")
        self.refresh_table()

    async def action_start_worker(self) -> None:
        await start_demo_worker(self.app, self.manager)
        self.refresh_table()
