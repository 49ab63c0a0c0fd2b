"""``manage.py totp_code EMAIL``: the current TOTP code of a user's device (for local demos)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current TOTP code of a user (only with DEBUG or the embedded default database)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")):
            raise CommandError("totp_code is a local-demo helper and is disabled on this installation.")
        device = TOTPDevice.objects.filter(user__email=options["email"].lower(), confirmed=True).first()
        if device is None:
            raise CommandError("That user has no confirmed TOTP device.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        self.stdout.write(str(totp.token()).zfill(device.digits))
