"""ID Check project package: settings, URLs, the Celery app and API plumbing."""

from __future__ import annotations

from idcheck.celery import app as celery_app

__all__ = ["celery_app"]
