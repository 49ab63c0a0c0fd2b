"""Blind indexes for finding a person's submissions by e-mail or userid (dashboard keyword search,
``GET /v3/submission?email=…`` / ``?userid=…``) while both stay sealed in the metadata.

The stored value is HMAC-SHA256 of the normalised text under a key HKDF derives from the master
key for the field's purpose, so the column reveals equality within the installation and nothing
else. E-mail addresses are compared case-insensitively (stripped, lower-cased); a userid is the
integrator's identifier and is compared exactly (stripped only). After a master-key rotation a
search matches the hash under every known key (:func:`email_lookups`, :func:`userid_lookups`).
"""

from __future__ import annotations

from idcheck.lib.crypto import keyed_hash, keyed_hashes

EMAIL_PURPOSE = "submissions.email-lookup.v1"
USERID_PURPOSE = "submissions.userid-lookup.v1"


def _email_text(email: str) -> str:
    return email.strip().lower()


def email_lookup(email: str) -> str:
    """The value to store; "" for no e-mail."""
    text = _email_text(email)
    return keyed_hash(text, purpose=EMAIL_PURPOSE) if text else ""


def userid_lookup(userid: str) -> str:
    text = userid.strip()
    return keyed_hash(text, purpose=USERID_PURPOSE) if text else ""


def email_lookups(email: str) -> list[str]:
    """The values to search for: one per known master key, current first; [] for no e-mail."""
    text = _email_text(email)
    return keyed_hashes(text, purpose=EMAIL_PURPOSE) if text else []


def userid_lookups(userid: str) -> list[str]:
    text = userid.strip()
    return keyed_hashes(text, purpose=USERID_PURPOSE) if text else []
