"""Celery configuration of the demo project (import as ``config``, see demo_project docstring)."""

if __name__ != "config":
    raise ImportError(
        f"import this package as 'config' (cwd or sys.path at demo_project/), not as {__name__!r}:"
        " a second import name would create a second Celery app; use"
        " demo_project.app_loader.load_app()"
    )
