"""The demo client: one command per Celery example (see demo_project.client.cli)."""
