"""The SMS check of a phone number in a Liveform flow (spec §6.2 ``auxidField=phoneNumber``).

:func:`phone_code_send` sends a new 6-digit code to a number, :func:`phone_code_check` compares
what the person typed. The rules, per flow (one ``PhoneVerification`` row, locked for each
change, so two tabs racing cannot get past a limit):

* a code lives :data:`CODE_LIFETIME` (10 minutes) and is kept only as a keyed hash of the flow,
  the number and the code (``idcheck.lib.crypto.keyed_hash`` under the master key): it opens
  nothing else, and a code sent to one number does not verify another;
* :data:`MAX_WRONG` (5) wrong entries lock the code: only a new one can verify;
* a new code (to the same or another number) waits :data:`RESEND_INTERVAL` (60 s) after the last
  one, and a flow gets at most :data:`MAX_SENDS` (3). A code the gateway failed to take still
  counts: a failing gateway is not hammered, and the person is told to try again later;
* one number gets codes from at most :data:`MAX_FLOWS_PER_NUMBER` (5) flows an hour, whatever
  the project: opening the link again starts a new flow, and this keeps a script from texting
  one number (or paying for texts to it) without end. The row keeps a keyed hash of the number
  for this, never the number.

Each code sent and each number verified writes an Event Log row (the flow's row id, never the
number or the code). The message goes out after the row is committed, so no lock is held while
the gateway answers.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

import phonenumbers
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from idcheck.errors import ApplicationError
from idcheck.lib.crypto import keyed_hash, keyed_hashes
from idcheck.lib.sms import SmsMessage, SmsNotSent, sms_send
from projects.actors import Actor
from projects.models import Project
from projects.services import audit_record
from submissions.models import PhoneVerification

CODE_LIFETIME = dt.timedelta(minutes=10)
RESEND_INTERVAL = dt.timedelta(seconds=60)
MAX_WRONG = 5
MAX_SENDS = 3
MAX_FLOWS_PER_NUMBER = 5  # flows (of any project) that may text one number within NUMBER_WINDOW
NUMBER_WINDOW = dt.timedelta(hours=1)
CODE_DIGITS = 6
ROW_LIFETIME = dt.timedelta(hours=2)  # a flow's (``flow.state.FLOW_LIFETIME``): older rows are dropped
HASH_PURPOSE = "liveform-sms-code"
NUMBER_PURPOSE = "liveform-sms-number"
MAX_INPUT = 40
SENDER_NAME_MAX = 30
# Number types that can receive a text; premium-rate, toll-free and shared-cost numbers cannot
# (and sending to them is how SMS pumping fraud earns money).
TEXTABLE = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})
PHONE_ACTOR = Actor.system("liveform")


class PhoneRefused(ApplicationError):
    """The step cannot go on as asked; ``code`` says why (the page words it)."""


class PhoneNumberInvalid(PhoneRefused):
    code = "phone_invalid"


@dataclass(frozen=True)
class CodeCheck:
    verified: bool
    reason: str = ""  # when not: wrong, expired, locked, no_code
    remaining: int = 0  # wrong entries left for this code, when the reason is "wrong"


def phone_number_parse(text: str) -> str:
    """The number in E.164 (``+33612345678``) from what a person typed: international form,
    ``+`` or ``00`` then the country code, spaces, dots, dashes and brackets allowed. Refuses
    (``PhoneNumberInvalid``) what is not a valid number of a type that can receive a text."""
    cleaned = text.strip()
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    if not cleaned.startswith("+") or len(cleaned) > MAX_INPUT:
        raise PhoneNumberInvalid("The number must start with + and its country code.", code="phone_no_country")
    try:
        number = phonenumbers.parse(cleaned, None)
    except phonenumbers.NumberParseException:
        raise PhoneNumberInvalid("This is not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneNumberInvalid("This is not a phone number.")
    if phonenumbers.number_type(number) not in TEXTABLE:
        raise PhoneNumberInvalid("This number cannot receive text messages.", code="phone_not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_number_display(e164: str) -> str:
    """``+33 6 12 34 56 78``: the number as people read it."""
    return phonenumbers.format_number(phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _hashed_text(flow: str, number: str, code: str) -> str:
    return f"{flow}\n{number}\n{code}"


def phone_code_send(*, project: Project, flow: str, phone_number: str) -> PhoneVerification:
    """Send a new code to ``phone_number`` (E.164, from :func:`phone_number_parse`) for ``flow``;
    the earlier code stops working. Refuses with ``sms_too_soon`` (``extra["wait"]``: seconds),
    ``sms_limit`` or ``sms_number_limit`` before anything is written or sent, and with
    ``sms_not_sent`` when the backend could not hand the message over (the code is counted)."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    verification = _code_store(project, flow, phone_number, code)
    text = _("%(service)s: your verification code is %(code)s. It expires in 10 minutes. Do not share it.") % {
        "service": project.name[:SENDER_NAME_MAX],
        "code": code,
    }
    try:
        sms_send(SmsMessage(to=phone_number, text=text))
    except SmsNotSent:
        raise PhoneRefused("The code could not be sent.", code="sms_not_sent") from None
    return verification


@transaction.atomic
def _code_store(project: Project, flow: str, number: str, code: str) -> PhoneVerification:
    now = timezone.now()
    PhoneVerification.objects.filter(created_at__lt=now - ROW_LIFETIME).delete()  # every project's
    PhoneVerification.objects.get_or_create(project=project, flow=flow)
    verification = PhoneVerification.objects.select_for_update().get(project=project, flow=flow)
    if verification.sends >= MAX_SENDS:
        raise PhoneRefused("This flow has had all its codes.", code="sms_limit")
    if verification.last_sent_at is not None and now < verification.last_sent_at + RESEND_INTERVAL:
        wait = int((verification.last_sent_at + RESEND_INTERVAL - now).total_seconds()) + 1
        raise PhoneRefused("A new code cannot be sent yet.", code="sms_too_soon", extra={"wait": wait})
    number_hash = keyed_hash(number, purpose=NUMBER_PURPOSE)
    _lock_number(number_hash)  # two flows texting one number count each other
    others = PhoneVerification.objects.filter(number_hash=number_hash, last_sent_at__gte=now - NUMBER_WINDOW)
    if others.exclude(pk=verification.pk).count() >= MAX_FLOWS_PER_NUMBER:
        raise PhoneRefused("This number has had too many codes lately.", code="sms_number_limit")
    verification.number_hash = number_hash
    verification.code_hash = keyed_hash(_hashed_text(flow, number, code), purpose=HASH_PURPOSE)
    verification.expires_at = now + CODE_LIFETIME
    verification.wrong_attempts = 0
    verification.sends += 1
    verification.last_sent_at = now
    verification.verified_at = None
    verification.save()
    audit_record(actor=PHONE_ACTOR, action="liveform.sms_code_sent", project=project,
                 target_type="phone_verification", target_id=str(verification.pk),
                 details={"sends": verification.sends})  # fmt: skip
    return verification


def _lock_number(number_hash: str) -> None:
    """Serialise the sends to one number until commit (PostgreSQL advisory lock; SQLite
    serialises writers by itself), so the per-number limit is exact under concurrency."""
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(bytes.fromhex(number_hash)[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def phone_code_check(*, project: Project, flow: str, phone_number: str, code: str) -> CodeCheck:
    """Whether ``code`` is the current code of ``flow`` for ``phone_number``. A wrong code counts
    (committed, whatever the caller does next); the 5th wrong one locks the code."""
    typed = "".join(code.split())
    with transaction.atomic():
        verification = PhoneVerification.objects.select_for_update().filter(project=project, flow=flow).first()
        if verification is None or not verification.code_hash:
            return CodeCheck(False, "no_code")
        if verification.wrong_attempts >= MAX_WRONG:
            return CodeCheck(False, "locked")
        if verification.expires_at is None or timezone.now() >= verification.expires_at:
            return CodeCheck(False, "expired")
        candidates = keyed_hashes(_hashed_text(flow, phone_number, typed), purpose=HASH_PURPOSE)
        if not any(hmac.compare_digest(verification.code_hash, candidate) for candidate in candidates):
            verification.wrong_attempts += 1
            verification.save(update_fields=["wrong_attempts"])
            left = MAX_WRONG - verification.wrong_attempts
            return CodeCheck(False, "wrong" if left else "locked", remaining=left)
        verification.verified_at = timezone.now()
        verification.code_hash = ""  # used: it cannot verify twice
        verification.save(update_fields=["verified_at", "code_hash"])
        audit_record(actor=PHONE_ACTOR, action="liveform.phone_verified", project=project,
                     target_type="phone_verification", target_id=str(verification.pk), details={})  # fmt: skip
    return CodeCheck(True)
