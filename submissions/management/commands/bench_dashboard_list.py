"""``manage.py bench_dashboard_list [--rows N]``: the User Submissions page's latency at N rows
(issue 8's "list page p95 < 300 ms at 100 k submissions").

A throw-away project gets N submissions (bulk-inserted, statuses, countries, ID types,
nationalities and e-mail look-ups spread like a real project's, created over 90 days), the
table is analysed, and an owner signed in with a verified OTP session requests the page through
the whole Django stack (middleware, access checks, keyset selector, template) with each filter;
the next page is followed through its own link. Everything is deleted at the end.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import random
import re
import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from projects.models import Membership, Project, Role, User
from submissions.lookups import email_lookup
from submissions.models import Submission, SubmissionSource, SubmissionStatus

COUNTRIES = ("EST", "KOR", "USA", "DEU", "FRA", "JPN", "BRA", "IND", "NGA", "GBR")
ID_TYPES = ("passport", "drivers_license", "government_id", "residence_permit")
STATUSES = (
    [SubmissionStatus.APPROVED] * 70 + [SubmissionStatus.REJECTED] * 15 + [SubmissionStatus.PENDING] * 5
    + [SubmissionStatus.INCOMPLETE] * 10
)  # fmt: skip
BATCH = 5000
NEXT_LINK = re.compile(r'<a href="\?([^"]+)" rel="next"')
MAX_PAGE_MS = 300.0


class Command(BaseCommand):
    help = "Measure the dashboard's submission list (p50/p95 per filter) at N submissions; leaves nothing."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rows", type=int, default=100_000, help="Submissions in the project (default 100,000).")
        parser.add_argument("--requests", type=int, default=30, help="Requests per page kind (default 30).")

    def handle(self, *args: Any, **options: Any) -> None:
        rows, requests = options["rows"], options["requests"]
        if rows < 100 or requests < 2:
            raise CommandError("--rows must be at least 100 and --requests at least 2.")
        logging.getLogger("idcheck.access").setLevel(logging.WARNING)  # one line per request otherwise
        project = Project.objects.create(name="bench dashboard list")
        user = User.objects.create_user(email=f"bench-list-{project.pid}@localhost", password=None)
        try:
            self._fill(project, rows)
            client = self._signed_in(project, user)
            results = [(name, self._time(client, url, requests)) for name, url in self._pages(client, project)]
        finally:
            Submission.objects.filter(project=project).delete()
            Membership.objects.filter(project=project).delete()
            TOTPDevice.objects.filter(user=user).delete()
            user.delete()
            project.delete()
        self._summary(rows, results)

    def _fill(self, project: Project, rows: int) -> None:
        draw = random.Random(8)
        now = timezone.now()
        for start in range(0, rows, BATCH):
            batch = []
            for number in range(start, min(rows, start + BATCH)):
                status = draw.choice(STATUSES)
                batch.append(Submission(
                    project=project, source=SubmissionSource.API, status=status,
                    created_at=now - dt.timedelta(seconds=draw.randrange(90 * 86400)),
                    claimed_issuing_country=draw.choice(COUNTRIES), claimed_id_type=draw.choice(ID_TYPES),
                    nationality=draw.choice(COUNTRIES) if status != SubmissionStatus.INCOMPLETE else "",
                    email_lookup=email_lookup(f"person{number}@example.com"),
                ))  # fmt: skip
            Submission.objects.bulk_create(batch, batch_size=BATCH)
            self.stdout.write(f"inserted {min(rows, start + BATCH):>9,}/{rows:,}")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE submissions_submission")

    def _signed_in(self, project: Project, user: User) -> Client:
        """An owner whose session passed the OTP step, as after a real sign-in."""
        Membership.objects.create(project=project, user=user, role=Role.OWNER)
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0].strip("[]") if settings.ALLOWED_HOSTS else "127.0.0.1")
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    def _pages(self, client: Client, project: Project) -> list[tuple[str, str]]:
        base = f"/dashboard/p/{project.pid}/submissions/"
        today = timezone.now().date()
        pages = [
            ("newest first, no filter", base),
            ("status pending", f"{base}?{urlencode({'status': 'pending'})}"),
            ("issuing country KOR", f"{base}?{urlencode({'country': 'KOR'})}"),
            ("nationality BRA", f"{base}?{urlencode({'nationality': 'BRA'})}"),
            ("last 7 days", f"{base}?{urlencode({'created_from': today - dt.timedelta(days=7)})}"),
            ("e-mail search", f"{base}?{urlencode({'q': 'person4242@example.com'})}"),
            ("oldest first", f"{base}?{urlencode({'sort': 'oldest'})}"),
        ]
        first = client.get(base)
        if first.status_code != 200:
            raise CommandError(f"the list page answered {first.status_code}: is the session verified?")
        found = NEXT_LINK.search(first.content.decode())
        if found is None:
            raise CommandError("the first page has no next-page link")
        pages.append(("second page (keyset)", f"{base}?{html.unescape(found.group(1))}"))
        return pages

    def _time(self, client: Client, url: str, requests: int) -> list[float]:
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")
        return timings

    def _summary(self, rows: int, results: list[tuple[str, list[float]]]) -> None:
        write = self.stdout.write
        write("")
        write(f"User Submissions page at {rows:,} submissions (full stack, signed-in owner)")
        write(f"{'page':28} {'p50 ms':>8} {'p95 ms':>8}  target p95 < {MAX_PAGE_MS:.0f} ms")
        for name, timings in results:
            ordered = sorted(timings)
            p50 = ordered[len(ordered) // 2]
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            write(f"{name:28} {p50:8.1f} {p95:8.1f}  {'met' if p95 < MAX_PAGE_MS else 'NOT MET'}")
        write("the throw-away project, its submissions and its owner were deleted.")
