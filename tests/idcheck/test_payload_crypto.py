"""The spec's payload encryption (§5.3) against its self-generated vectors (§5.4)."""

from __future__ import annotations

import hashlib

import pytest

from idcheck.lib.crypto import DecryptionError, payload_decrypt, payload_encrypt_ecb

KEY = hashlib.sha256(b"TESTAPIKEY0123456789abcdefghijklmnopqrst").digest()
LONG_ECB = "5qh1SWik37wTBmfCyEOoQGMFiLFAgBbMeC66ieuhACnP8gzkV1vNJFFUsZzpP4Geso1UD7Tou0LWsj3rwJYRPg=="
LONG_PLAIN = b'{"email":"email@email.com","userid":"userid","cf1":"value 1"}'


def test_the_key_is_the_sha256_of_the_key_string():
    assert KEY.hex() == "d133c2e3381283219e607a22283155653e85cdc57fefeea426c8b0493d87717a"


@pytest.mark.parametrize(
    ("ciphertext", "plaintext"),
    [
        ("0LggZ8SFnWfM4yzf+ZXqug==", b'{"userid":"u1"}'),
        ("0LggZ8SFnWfM4yzf ZXqug", b'{"userid":"u1"}'),  # '+' decoded to a space, padding lost
        ("0LggZ8SFnWfM4yzf-ZXqug==", b'{"userid":"u1"}'),  # base64url
        (LONG_ECB, LONG_PLAIN),
        ("AAECAwQFBgcICQoLKmWJADq+eE7O/FHYg4Fq47oKsIDBZmc7Cu4ZqFVu7w==", b'{"userid":"u1"}'),  # GCM
    ],
)
def test_it_decrypts_the_spec_vectors(ciphertext, plaintext):
    assert payload_decrypt(ciphertext, key=KEY) == plaintext


def test_ecb_encryption_gives_the_spec_vector():
    assert payload_encrypt_ecb(LONG_PLAIN, key=KEY) == LONG_ECB


@pytest.mark.parametrize(
    "ciphertext",
    ["", "not base64!", "0LggZ8SFnWfM4yzf", "AAECAwQFBgcICQoLKmWJADq+eE7O/FHYg4Fq47oKsIDBZmc7Cu4ZqFVv7w=="],
)
def test_it_refuses_what_does_not_decrypt(ciphertext):
    with pytest.raises(DecryptionError):
        payload_decrypt(ciphertext, key=KEY)


def test_another_key_does_not_decrypt():
    with pytest.raises(DecryptionError):
        payload_decrypt("0LggZ8SFnWfM4yzf+ZXqug==", key=hashlib.sha256(b"another key").digest())
