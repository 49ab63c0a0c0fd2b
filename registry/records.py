"""Identity records as keyed hashes, and the registry match rule.

Each normalised field (``registry.providers``) is hashed on its own with its field name, as
HMAC-SHA256 under the key HKDF derives from the master key for :data:`PURPOSE`:
``HMAC(key, "surname" + US + "ERIKSSON")``. The field name in the text keeps one field's hash
from ever equalling another's. Look-ups use the hash under every known master key, so a
registry imported before a key rotation keeps matching while the old key is configured.

**Match rule**: a registry record matches when its document number, birth date and surname
hashes all equal the document's. Given names and nationality are compared when both sides
have them and reported, but do not decide (transliteration of given names varies too much
between an MRZ and a civil registry). Anything less is ``no_match``, with the fields of the
closest record (most fields equal) that matched: records sharing the document number, or
sharing surname and birth date, are the candidates. A document without a document number,
birth date or surname cannot be checked: ``unavailable``.
"""

from __future__ import annotations

from idcheck.lib.crypto import keyed_hash, keyed_hashes

PURPOSE = "registry.identity-record.v1"
RECORD_FIELDS = ("document_number", "birth_date", "surname", "given_names", "nationality")
MATCH_FIELDS = ("document_number", "birth_date", "surname")
MATCH_RULE = "document_number+birth_date+surname"
_SEPARATOR = "\x1f"


def field_hash(name: str, value: str) -> str:
    """The stored hash of one normalised value; "" for no value."""
    return keyed_hash(f"{name}{_SEPARATOR}{value}", purpose=PURPOSE) if value else ""


def field_lookup_hashes(name: str, value: str) -> list[str]:
    """The hash under every known master key (current first); [] for no value."""
    return keyed_hashes(f"{name}{_SEPARATOR}{value}", purpose=PURPOSE) if value else []


def matched_fields(query_hashes: dict[str, list[str]], record_hashes: dict[str, str]) -> tuple[str, ...]:
    """The fields (in :data:`RECORD_FIELDS` order) whose hashes are equal on both sides."""
    return tuple(
        name for name in RECORD_FIELDS if record_hashes.get(name) and record_hashes[name] in query_hashes.get(name, ())
    )


def is_match(matched: tuple[str, ...]) -> bool:
    return all(name in matched for name in MATCH_FIELDS)
