"""The spec's payload encryption (§5.3) against its self-generated vectors (§5.4)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from idcheck.lib.crypto import DecryptionError, payload_decrypt, payload_decrypt_gcm, payload_encrypt_ecb

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


# --- known answers from the standards (G18) -----------------------------------------------------

# NIST SP 800-38A, F.1.5 ECB-AES256.Encrypt: four blocks.
SP800_38A_KEY = bytes.fromhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
SP800_38A_PLAIN = bytes.fromhex(
    "6bc1bee22e409f96e93d7e117393172a" "ae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52ef" "f69f2445df4f9b17ad2b417be66c3710"
)  # fmt: skip
SP800_38A_CIPHER = bytes.fromhex(
    "f3eed1bdb5d2a03c064b5a7e3db181f8" "591ccb10d410ed26dc5ba74a31362870"
    "b6ed21b99ca6f4f9f153e7b1beafed1d" "23304b7a39f9f3ff067d8d8f9e24ecc7"
)  # fmt: skip
# The GCM specification (McGrew and Viega, the test vectors NIST SP 800-38D refers to), test case
# 15: AES-256, 96-bit IV, no additional data.
GCM_KEY = bytes.fromhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
GCM_IV = bytes.fromhex("cafebabefacedbaddecaf888")
GCM_PLAIN = bytes.fromhex(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
)
GCM_CIPHER = bytes.fromhex(
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"
)
GCM_TAG = bytes.fromhex("b094dac5d93471bdec1a502270e3cc6c")


def test_ecb_gives_the_sp_800_38a_aes256_blocks():
    # when: four full blocks; PKCS#7 adds a fifth of padding
    sealed = base64.b64decode(payload_encrypt_ecb(SP800_38A_PLAIN, key=SP800_38A_KEY))

    # then
    assert sealed[:64] == SP800_38A_CIPHER
    assert len(sealed) == 80
    assert payload_decrypt(base64.b64encode(sealed).decode(), key=SP800_38A_KEY) == SP800_38A_PLAIN


def test_gcm_opens_the_specifications_aes256_test_case():
    token = base64.b64encode(GCM_IV + GCM_CIPHER + GCM_TAG).decode()

    assert payload_decrypt_gcm(token, key=GCM_KEY) == GCM_PLAIN
    assert payload_decrypt(token, key=GCM_KEY) == GCM_PLAIN


def test_gcm_refuses_the_test_case_with_one_bit_of_its_tag_flipped():
    token = base64.b64encode(GCM_IV + GCM_CIPHER + GCM_TAG[:-1] + bytes([GCM_TAG[-1] ^ 1])).decode()

    with pytest.raises(DecryptionError):
        payload_decrypt_gcm(token, key=GCM_KEY)
