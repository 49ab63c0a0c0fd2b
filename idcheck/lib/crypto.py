"""Keys derived from the master key (KEK), authenticated sealing, keyed hashes.

The master key never encrypts data directly: each purpose gets its own key by HKDF, so a
leak of one derived key exposes one kind of secret only. Sealed values carry the id of the
master key that sealed them, which lets ``IDCHECK_MASTER_KEY_PREVIOUS`` keep old values
readable while they are re-sealed after a rotation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_VERSION = b"\x01"
_KEY_ID_LEN = 4
_NONCE_LEN = 12


class DecryptionError(Exception):
    """A sealed value could not be opened. One type, whatever the cause (no oracle)."""


def generate_master_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def parse_master_key(text: str, *, source: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip().replace("+", "-").replace("/", "_") + "==")
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{source} is not base64") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{source} must encode exactly 32 bytes, not {len(raw)}")
    return raw


def ensure_local_master_key(path: Path) -> str:
    """Read the embedded default key file, creating it (mode 0600) on first use."""
    return _ensure_local_file(path, generate_master_key)


def ensure_local_secret(path: Path) -> str:
    """A Django SECRET_KEY for the embedded default (64 URL-safe characters, 0600)."""
    return _ensure_local_file(path, lambda: secrets.token_urlsafe(48))


def _ensure_local_file(path: Path, generate: Callable[[], str]) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        value = generate()
        handle.write(value + "\n")
    return value


@lru_cache(maxsize=1)
def _master_keys() -> tuple[bytes, ...]:
    current = parse_master_key(settings.IDCHECK_MASTER_KEY, source="IDCHECK_MASTER_KEY")
    previous = tuple(
        parse_master_key(text, source="IDCHECK_MASTER_KEY_PREVIOUS") for text in settings.IDCHECK_MASTER_KEY_PREVIOUS
    )
    return (current, *previous)


def reset_key_cache() -> None:
    """Forget cached keys (tests and key rotation change the settings at run time)."""
    _master_keys.cache_clear()
    _derived.cache_clear()


def _key_id(master: bytes) -> bytes:
    return hashlib.sha256(b"idcheck-kek-id" + master).digest()[:_KEY_ID_LEN]


@lru_cache(maxsize=64)
def _derived(master: bytes, purpose: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
    return hkdf.derive(master)


def seal(plaintext: bytes, *, purpose: str, aad: bytes) -> bytes:
    """AES-256-GCM under the current master key's ``purpose`` key; ``aad`` binds context."""
    master = _master_keys()[0]
    nonce = secrets.token_bytes(_NONCE_LEN)
    ciphertext = AESGCM(_derived(master, purpose)).encrypt(nonce, plaintext, aad)
    return _VERSION + _key_id(master) + nonce + ciphertext


def unseal(token: bytes, *, purpose: str, aad: bytes) -> bytes:
    header_len = 1 + _KEY_ID_LEN + _NONCE_LEN
    if len(token) <= header_len or token[:1] != _VERSION:
        raise DecryptionError
    key_id, nonce = token[1 : 1 + _KEY_ID_LEN], token[1 + _KEY_ID_LEN : header_len]
    for master in _master_keys():
        if hmac.compare_digest(_key_id(master), key_id):
            try:
                return AESGCM(_derived(master, purpose)).decrypt(nonce, token[header_len:], aad)
            except InvalidTag:
                raise DecryptionError from None
    raise DecryptionError


def keyed_hashes(value: str, *, purpose: str) -> list[str]:
    """HMAC-SHA256 of ``value`` under every known master key, current first."""
    return [
        hmac.new(_derived(master, purpose), value.encode(), hashlib.sha256).hexdigest() for master in _master_keys()
    ]


def keyed_hash(value: str, *, purpose: str) -> str:
    return keyed_hashes(value, purpose=purpose)[0]


# --- The spec's payload encryption (§5.3): AES-256 under SHA-256 of the project's key string.
# ECB is what ARGOS integrators send (no integrity: a tampered block decrypts to garbage that
# the JSON parse refuses); GCM is our own layout, base64(12-byte nonce ‖ ciphertext ‖ 16-byte tag).

_GCM_NONCE_LEN = 12
_GCM_TAG_LEN = 16


def _payload_bytes(text: str) -> bytes:
    """Standard base64, tolerating base64url, missing padding and a ``+`` turned into a space."""
    cleaned = text.strip().replace(" ", "+").replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionError from None


def payload_decrypt(text: str, *, key: bytes) -> bytes:
    """The plaintext of a §5.3 ciphertext: GCM when it authenticates, else ECB with PKCS#7."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    raw = _payload_bytes(text)
    if len(raw) >= _GCM_NONCE_LEN + _GCM_TAG_LEN:
        try:
            return AESGCM(key).decrypt(raw[:_GCM_NONCE_LEN], raw[_GCM_NONCE_LEN:], None)
        except InvalidTag:
            pass
    if not raw or len(raw) % 16:
        raise DecryptionError
    decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()  # noqa: S305 (the spec's mode)
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(decryptor.update(raw) + decryptor.finalize()) + unpadder.finalize()
    except ValueError:
        raise DecryptionError from None


def payload_encrypt_ecb(plaintext: bytes, *, key: bytes) -> str:
    """AES-256-ECB, PKCS#7, standard base64: the Return URL's ``encrypted`` value (§7)."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305 (the spec's mode)
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode("ascii")


def payload_encrypt_gcm(plaintext: bytes, *, key: bytes) -> str:
    """AES-256-GCM in our layout, base64(12-byte random nonce ‖ ciphertext ‖ 16-byte tag) (§5.3
    item 3): the Secure Data Transfer webhook body. ``payload_decrypt`` opens it."""
    nonce = secrets.token_bytes(_GCM_NONCE_LEN)
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, plaintext, None)).decode("ascii")


def payload_encrypt_cbc(plaintext: bytes, *, key: bytes) -> str:
    """AES-256-CBC, PKCS#7, base64(16-byte random IV ‖ ciphertext): the original-compatible
    Secure Data Transfer webhook body (the spec's pre-2024 CBC mode, §5.1). It has no integrity
    of its own: only send it beside a MAC (webhooks carry the Standard Webhooks signature)."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    iv = secrets.token_bytes(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(padded) + encryptor.finalize()).decode("ascii")


def payload_decrypt_gcm(text: str, *, key: bytes) -> bytes:
    """The plaintext of our GCM layout only: where a project chose GCM, an ECB ciphertext (which
    ``payload_decrypt`` would also take) must not get in unauthenticated."""
    raw = _payload_bytes(text)
    if len(raw) < _GCM_NONCE_LEN + _GCM_TAG_LEN:
        raise DecryptionError
    try:
        return AESGCM(key).decrypt(raw[:_GCM_NONCE_LEN], raw[_GCM_NONCE_LEN:], None)
    except InvalidTag:
        raise DecryptionError from None
