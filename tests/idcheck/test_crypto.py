"""Sealing under derived keys, keyed hashes and master-key rotation."""

from __future__ import annotations

import base64
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from idcheck.lib import crypto
from idcheck.lib.crypto import (
    DecryptionError,
    ensure_local_master_key,
    generate_master_key,
    keyed_hash,
    keyed_hashes,
    parse_master_key,
    seal,
    unseal,
)

HEADER = 1 + 4 + 12  # version, key id, nonce


@pytest.fixture
def master_key(settings) -> str:
    settings.IDCHECK_MASTER_KEY = generate_master_key()
    settings.IDCHECK_MASTER_KEY_PREVIOUS = []
    crypto.reset_key_cache()
    return settings.IDCHECK_MASTER_KEY


def _rotate(settings) -> None:
    settings.IDCHECK_MASTER_KEY_PREVIOUS = [settings.IDCHECK_MASTER_KEY]
    settings.IDCHECK_MASTER_KEY = generate_master_key()
    crypto.reset_key_cache()


def test_it_opens_what_it_sealed(master_key):
    # when
    token = seal(b"secret", purpose="test", aad=b"row:1")

    # then
    assert unseal(token, purpose="test", aad=b"row:1") == b"secret"
    assert b"secret" not in token
    assert len(token) == HEADER + len(b"secret") + 16


def test_each_seal_uses_a_fresh_nonce(master_key):
    assert seal(b"secret", purpose="test", aad=b"") != seal(b"secret", purpose="test", aad=b"")


@pytest.mark.parametrize(("purpose", "aad"), [("test", b"row:2"), ("other", b"row:1"), ("test", b"")])
def test_it_refuses_another_context(master_key, purpose, aad):
    # given
    token = seal(b"secret", purpose="test", aad=b"row:1")

    # when / then
    with pytest.raises(DecryptionError):
        unseal(token, purpose=purpose, aad=aad)


@pytest.mark.parametrize("position", [0, 1, HEADER - 1, HEADER, -1])
def test_it_refuses_a_tampered_token(master_key, position):
    # given
    token = bytearray(seal(b"secret", purpose="test", aad=b"row:1"))
    token[position] ^= 0x01

    # when / then
    with pytest.raises(DecryptionError):
        unseal(bytes(token), purpose="test", aad=b"row:1")


@pytest.mark.parametrize("token", [b"", b"\x01", b"\x01" + b"\x00" * HEADER, b"\x02" + b"\x00" * 40])
def test_it_refuses_a_truncated_or_foreign_token(master_key, token):
    with pytest.raises(DecryptionError):
        unseal(token, purpose="test", aad=b"")


def test_it_still_opens_values_sealed_under_the_previous_master_key(settings, master_key):
    # given
    token = seal(b"secret", purpose="test", aad=b"row:1")

    # when
    _rotate(settings)

    # then
    assert unseal(token, purpose="test", aad=b"row:1") == b"secret"
    assert seal(b"secret", purpose="test", aad=b"row:1")[1:5] != token[1:5]


def test_it_cannot_open_values_of_a_forgotten_master_key(settings, master_key):
    # given
    token = seal(b"secret", purpose="test", aad=b"row:1")
    settings.IDCHECK_MASTER_KEY = generate_master_key()
    crypto.reset_key_cache()

    # when / then
    with pytest.raises(DecryptionError):
        unseal(token, purpose="test", aad=b"row:1")


def test_keyed_hashes_list_the_current_key_first(settings, master_key):
    # given
    before = keyed_hash("value", purpose="test")

    # when
    _rotate(settings)
    hashes = keyed_hashes("value", purpose="test")

    # then
    assert len(hashes) == 2
    assert hashes[1] == before
    assert hashes[0] == keyed_hash("value", purpose="test") != before


def test_keyed_hashes_depend_on_the_purpose(master_key):
    assert keyed_hash("value", purpose="a") != keyed_hash("value", purpose="b")
    assert len(keyed_hash("value", purpose="a")) == 64


def test_generated_master_keys_parse_back_to_32_bytes():
    # given
    text = generate_master_key()

    # when
    raw = parse_master_key(text, source="TEST")

    # then
    assert len(raw) == 32
    assert base64.urlsafe_b64encode(raw).decode() == text


def test_it_accepts_a_standard_base64_master_key():
    raw = bytes(range(32))
    assert parse_master_key(base64.b64encode(raw).decode(), source="TEST") == raw


@pytest.mark.parametrize(
    "text", ["", "c2hvcnQ=", base64.b64encode(b"x" * 31).decode(), base64.b64encode(b"x" * 33).decode()]
)
def test_it_refuses_a_master_key_of_the_wrong_size(text):
    with pytest.raises(ImproperlyConfigured, match="TEST"):
        parse_master_key(text, source="TEST")


def test_the_local_master_key_file_is_created_once_and_private(tmp_path):
    # given
    path = tmp_path / "var" / "master.key"

    # when
    first = ensure_local_master_key(path)
    second = ensure_local_master_key(path)

    # then
    assert first == second
    assert len(parse_master_key(first, source="file")) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_hundred_thousand_seals_never_repeat_a_nonce(master_key):
    nonces = {seal(b"x", purpose="test", aad=b"")[5:HEADER] for _ in range(100_000)}
    assert len(nonces) == 100_000
