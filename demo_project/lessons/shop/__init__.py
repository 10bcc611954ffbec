"""A tiny stand-in for a Django app: a package whose ``tasks`` module holds its tasks."""
