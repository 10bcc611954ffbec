"""The demo Celery project every card command runs in."""
