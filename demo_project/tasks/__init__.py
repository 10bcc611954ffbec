"""Demo tasks by theme (import as ``tasks``, see the demo_project docstring)."""

if __name__ != "tasks":
    raise ImportError(
        f"import this package as 'tasks' (cwd or sys.path at demo_project/), not as {__name__!r}:"
        " otherwise every task would be registered under a second name"
    )
