"""``manage.py prune_webhook_deliveries``: what Celery beat does daily at 03:15 UTC.

Deliveries delivered over 30 days ago and dead letters over 90 days old are deleted with their
attempts; the events stay in the outbox.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from webhooks.services import webhook_deliveries_prune


class Command(BaseCommand):
    help = "Delete old webhook deliveries (delivered > 30 days, dead-lettered > 90 days) and their attempts."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Deleted {webhook_deliveries_prune()} deliveries.")
