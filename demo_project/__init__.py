"""The demo Celery project every card command runs in.

Import convention (the double-import hazard): the Celery app and the task modules live in
``demo_project/config`` and ``demo_project/tasks`` but are ONLY ever imported under their
top-level names ``config`` and ``tasks``, with ``demo_project/`` as the working directory or
on ``sys.path`` -- exactly how ``celery -A config.celery_app worker`` and every card command
see them. Importing them as ``demo_project.config``/``demo_project.tasks`` would create a second
app and register tasks under other names (``demo_project.tasks.basic.add``), so both packages
refuse that import. Python-side users (tests, ``studyapp verify``, the client) either call
:func:`demo_project.app_loader.load_app` (which puts ``demo_project/`` on ``sys.path``) or run
commands as subprocesses with ``cwd=demo_project/`` (see :mod:`demo_project.launch`).
"""
