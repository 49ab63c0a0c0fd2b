"""``manage.py seed_demo [--json]``: the demo project, its key and an admin with TOTP."""

from __future__ import annotations

import base64
import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from projects.actors import Actor
from projects.services.demo import demo_seed


class Command(BaseCommand):
    help = "Create (or find again) the demo project, admin and TOTP device; issue a fresh API key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="Print one JSON object on stdout.")
        parser.add_argument("--password", help="Admin password to set (default: a new random one each run).")

    def handle(self, *args: Any, **options: Any) -> None:
        seed = demo_seed(admin_password=options.get("password"), actor=Actor.system("cli:seed_demo"))
        base = settings.IDCHECK_PUBLIC_URL
        facts = {
            "pid": seed.project.pid,
            "api_key": seed.api_key,
            "admin_email": seed.admin.email,
            "admin_password": seed.admin_password,
            "totp_secret": base64.b32encode(seed.totp_device.bin_key).decode("ascii"),
            "liveform_url": f"{base}/form/?pid={seed.project.pid}",
            "dashboard_url": f"{base}/dashboard/",
        }
        if options["json"]:
            self.stdout.write(json.dumps(facts))
            return
        self.stdout.write(self.style.SUCCESS("Demo project ready" + (" (created)" if seed.created else "")))
        width = max(len(key) for key in facts)
        for key, value in facts.items():
            self.stdout.write(f"  {key.ljust(width)}  {value}")
        self.stdout.write("  Add the TOTP secret to an authenticator app, or: manage.py totp_code admin@example.com")
