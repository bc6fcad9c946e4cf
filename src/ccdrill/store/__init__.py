"""Persistence: engines and migrations (``db``), tables (``tables``), repositories (``documents``)."""
