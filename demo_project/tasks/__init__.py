"""Demo tasks by theme (import as ``tasks``, see the demo_project docstring)."""

if __name__ != "tasks":
    raise ImportError(
        f"import this package as 'tasks' (cwd or sys.path at demo_project/), not as {__name__!r}:"
        " otherwise every task would be registered under a second name"
    )

# As a Django project's __init__.py imports its Celery app: whoever imports a task module gets
# the demo's app as the current one, so shared tasks send to the demo's broker, not to Celery's
# default amqp://guest@localhost//. (config.celery_app names these modules but imports them
# only when asked, so there is no import circle.)
from config.celery_app import app

__all__ = ["app"]
