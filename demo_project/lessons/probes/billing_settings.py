"""A settings module that says when it is imported (for ``lessons.app_basics from-envvar``)."""

print("lessons.probes.billing_settings imported now")

task_default_queue = "billing"
