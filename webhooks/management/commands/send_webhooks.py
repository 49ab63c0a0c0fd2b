"""``manage.py send_webhooks [--loop]``: send every webhook delivery that is due now.

Celery beat does this every 5 seconds (``webhooks-sweep-due`` in ``idcheck/celery.py``). The
command is for the embedded mode, which has neither Redis nor beat: ``manage.py serve`` (so
``make run``) keeps it running with ``--loop`` beside the web server, so retries and the
deliveries of a receiver that was down still go out. Without ``--loop`` it sweeps once.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from webhooks.services import webhook_deliveries_sweep

INTERVAL_SECONDS = 5.0


class Command(BaseCommand):
    help = "Send the webhook deliveries that are due (with --loop: every 5 seconds until stopped)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep sweeping every 5 seconds.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["loop"]:
            self.stderr.write(f"Sent or queued {webhook_deliveries_sweep()} deliveries.")
            return
        try:
            while True:
                webhook_deliveries_sweep()
                time.sleep(INTERVAL_SECONDS)
        except KeyboardInterrupt:
            return
