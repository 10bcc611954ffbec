"""The client's connection to the demo: the app, its tasks, and the pre-flight checks."""

from dataclasses import dataclass

from celery import Celery, Task

from demo_project import launch
from demo_project.app_loader import load_app
from demo_project.client.report import DemoError

WORKER_PING_SECONDS = 3.0
START_WORKER_HINT = "start one in demo_project/: celery -A config.celery_app worker --loglevel=info"


@dataclass
class Session:
    app: Celery

    @classmethod
    def open(cls) -> "Session":
        app = load_app()
        app.loader.import_default_modules()  # the task modules listed in `include`
        return cls(app)

    @property
    def broker_url(self) -> str:
        return str(self.app.conf.broker_url)

    @property
    def result_backend(self) -> str:
        return str(self.app.conf.result_backend)

    def task(self, name: str) -> Task:
        task: Task = self.app.tasks[name]
        return task

    def check_redis(self) -> None:
        """Fail with one clear line when the broker or the result backend is down."""
        for role, url in (("broker", self.broker_url), ("result backend", self.result_backend)):
            if url.startswith("redis") and not launch.redis_reachable(url, timeout=1.0):
                raise DemoError(
                    f"cannot reach Redis ({role}) at {url}: start redis-server"
                    " or set CELERY_BROKER_URL / CELERY_RESULT_BACKEND",
                    2,
                )

    def ping_workers(self, timeout: float = WORKER_PING_SECONDS) -> list[str]:
        """Names of the workers answering within ``timeout`` (returns at the first reply)."""
        replies = self.app.control.ping(timeout=timeout, limit=1)
        names = sorted(name for reply in replies for name in reply)
        if not names:
            raise DemoError(
                f"no Celery worker answered a ping within {timeout:g} s: {START_WORKER_HINT}", 3
            )
        return names

    def demo_env(self) -> dict[str, str]:
        """Environment for a worker this client starts itself (same broker and backend)."""
        return launch.demo_env(self.broker_url, self.result_backend)
