"""``manage.py expire_incomplete``: reject incomplete submissions past their project's timeout.

The same service Celery beat runs every five minutes (``submissions-expire-incomplete``), for
operators without beat or after an outage. Safe to run at any time, also beside beat: each row
is expired by one conditional UPDATE.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from submissions.services import submissions_expire_incomplete


class Command(BaseCommand):
    help = "Reject (code timeout) incomplete submissions older than their project's timeout (24 h by default)."

    def handle(self, *args: Any, **options: Any) -> None:
        expired = submissions_expire_incomplete()
        self.stdout.write(f"{expired} incomplete submission(s) rejected with timeout")
