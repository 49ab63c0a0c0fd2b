"""Secure Data Transfer of /v3/ bodies (spec §5, §2.4; G18): a project with it on sends its JSON
bodies as ``{"data": "<ciphertext>"}`` and gets every JSON answer that way, through the real
views; every failed decryption is one plain answer; a project with it off is unchanged."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from html import escape

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.test import Client
from django.urls import reverse

from idcheck.checks import argos_cipher_not_in_use
from idcheck.lib.crypto import payload_decrypt_gcm, payload_encrypt_ecb, payload_encrypt_gcm
from idcheck.secure_transfer import ARGOS_CIPHER_WARNING, SecureTransferParser, Transfer
from projects.actors import Actor
from projects.models import LiveformToken
from projects.services import api_key_issue, project_settings_update, secret_key_issue
from submissions.models import Submission
from tests.conftest import TEST_HOST
from tests.factories import MembershipFactory, ProjectFactory
from tests.submissions.test_submission_update import decided_submission

ACTOR = Actor.system("test")
TOKENS = "/v3/submission/tokens"
FAILED = {"errorCode": "Decryption is Failed. Please check the api-key."}
# The spec's self-generated vectors (§5.4), under SHA-256 of its fake key string.
SPEC_KEY = hashlib.sha256(b"TESTAPIKEY0123456789abcdefghijklmnopqrst").digest()
SPEC_ECB = "0LggZ8SFnWfM4yzf+ZXqug=="
SPEC_GCM = "AAECAwQFBgcICQoLKmWJADq+eE7O/FHYg4Fq47oKsIDBZmc7Cu4ZqFVu7w=="


def _cbc_decrypt(text: str, key: bytes) -> bytes:
    raw = base64.b64decode(text)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(raw[:16])).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(decryptor.update(raw[16:]) + decryptor.finalize()) + unpadder.finalize()


class Integrator:
    """A client of one project that encrypts as its cipher says: ECB requests and CBC answers in
    the original's mode (``cbc``), GCM both ways otherwise. With ``secret_key`` the project gets
    a secretKey and encrypts under it instead of under the API key. The project has no webhook
    endpoint: Secure Data Transfer is a project setting of its own."""

    def __init__(self, project, cipher: str | None, *, secret_key: bool = False):
        key = api_key_issue(project=project, actor=ACTOR).plaintext
        self.project, self.cipher = project, cipher
        self.key = hashlib.sha256(key.encode()).digest()
        self.client = Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=key)
        changes: dict[str, object] = {}
        if secret_key:
            self.secret_key = secret_key_issue(project=project, actor=ACTOR).plaintext
            self.key = hashlib.sha256(self.secret_key.encode()).digest()
            changes["encryption_key"] = "secret_key"
        if cipher is not None:
            changes.update({"secure_transfer": True, "secure_transfer_cipher": cipher})
        if changes:
            project_settings_update(project=project, changes=changes, actor=ACTOR)

    def envelope(self, body: object) -> str:
        plaintext = json.dumps(body).encode()
        encrypt = payload_encrypt_ecb if self.cipher == "cbc" else payload_encrypt_gcm
        return json.dumps({"data": encrypt(plaintext, key=self.key)})

    def send(self, method: str, path: str, body: object | None = None, content_type: str = "application/json"):
        raw = "" if body is None else (self.envelope(body) if self.cipher else json.dumps(body))
        return getattr(self.client, method)(path, raw, content_type=content_type)

    def answer(self, response) -> tuple[int, object]:
        """The status and the JSON answered, decrypted when it came encrypted."""
        body = response.json()
        if self.cipher is None:
            return response.status_code, body
        assert list(body) == ["data"]
        decrypt = _cbc_decrypt if self.cipher == "cbc" else (lambda text, key: payload_decrypt_gcm(text, key=key))
        return response.status_code, json.loads(decrypt(body["data"], self.key))


@pytest.fixture(params=["gcm", "cbc"])
def secure(request, project) -> Integrator:
    return Integrator(project, request.param)


@pytest.fixture
def plain(db) -> Integrator:
    return Integrator(ProjectFactory(), None)


def _submission_state(submission) -> dict:
    return Submission.objects.values().get(pk=submission.pk)


def test_a_patch_sent_encrypted_changes_the_submission_and_answers_encrypted(secure):
    # given
    submission = decided_submission(secure.project)
    admin = MembershipFactory(project=secure.project).user
    body = {"submissionId": submission.pk, "admin": admin.email, "data": {"documentNumber": "M12345678"}}

    # when
    response = secure.send("patch", "/v3/submission", body)

    # then
    assert secure.answer(response) == (200, {"message": "Data Processing Success."})
    [item] = secure.answer(secure.client.get(f"/v3/submission?submission_id={submission.pk}"))[1]["Items"]
    assert item["data"]["documentNumber"] == "M12345678"


def test_post_get_and_delete_answer_what_a_plain_project_gets(secure, plain):
    # when: the same calls from a project with Secure Data Transfer and from one without
    answers = {}
    for integrator in (secure, plain):
        answers[integrator] = [
            integrator.answer(integrator.send("post", TOKENS, {"tokenId": ["tokenA001", "tokenB001"]})),
            integrator.answer(integrator.client.get(f"{TOKENS}?tokenId=tokenA001")),
            integrator.answer(integrator.send("delete", TOKENS, {"tokenId": ["tokenA001", "tokenZ001"]})),
            integrator.answer(integrator.send("post", TOKENS, {"tokenId": "not a list"})),
        ]

    # then: successes and refusals alike, the token updateTime aside
    secure_answers, plain_answers = answers[secure], answers[plain]
    secure_answers[1][1]["data"].pop("updateTime"), plain_answers[1][1]["data"].pop("updateTime")
    assert secure_answers == plain_answers
    assert [status for status, _ in secure_answers] == [200, 200, 200, 400]
    assert list(LiveformToken.objects.filter(project=secure.project).values_list("token_id", flat=True)) == [
        "tokenB001"
    ]


def test_a_text_plain_envelope_is_read_even_where_the_view_takes_only_json(secure):
    # given
    submission = decided_submission(secure.project)
    admin = MembershipFactory(project=secure.project).user
    body = {"submissionId": submission.pk, "admin": admin.email, "data": {"gender": "female"}}

    # when
    response = secure.send("patch", "/v3/submission", body, content_type="text/plain")

    # then
    assert secure.answer(response) == (200, {"message": "Data Processing Success."})


def test_the_migration_takes_is_encrypted_beside_the_data(project):
    # given
    secure = Integrator(project, "gcm")
    admin = MembershipFactory(project=project).user
    fields = {"admin": admin.email, "email": "user@example.com", "fullName": "HONG GILDONG",
              "birthDate": "1992-06-13", "kycStatus": "approved", "idType": "passport", "issuingCountry": "KOR"}  # fmt: skip
    envelope = {**json.loads(secure.envelope(fields)), "isEncrypted": True}

    # when
    response = secure.client.post("/v3/submission/migration", json.dumps(envelope), content_type="application/json")

    # then
    status, answer = secure.answer(response)
    assert (status, answer["message"]) == (200, "success")
    assert Submission.objects.get(pk=answer["submissionId"]).project == project


def _bad_bodies(secure: Integrator, body: object) -> dict[str, str]:
    good = json.loads(secure.envelope(body))["data"]
    other = Integrator.__new__(Integrator)
    other.cipher, other.key = secure.cipher, hashlib.sha256(b"another key").digest()
    ecb = payload_encrypt_ecb(json.dumps(body).encode(), key=secure.key)
    gcm = payload_encrypt_gcm(json.dumps(body).encode(), key=secure.key)
    not_json = (payload_encrypt_ecb if secure.cipher == "cbc" else payload_encrypt_gcm)(b"{not json", key=secure.key)
    return {
        "wrong key": other.envelope(body),
        "truncated": json.dumps({"data": good[:-8]}),
        "one byte changed": json.dumps({"data": ("B" if good[20] == "A" else "A").join([good[:20], good[21:]])}),
        "not base64": json.dumps({"data": "not base64!"}),
        "not json inside": json.dumps({"data": not_json}),
        "plain body": json.dumps(body),
        "data not a string": json.dumps({"data": body}),
        "another member": json.dumps({"data": good, "submissionId": "x"}),
        "isEncrypted false": json.dumps({"data": good, "isEncrypted": False}),
        "not json at all": "data=" + good,
        # G18: a GCM project takes no ECB; the original's mode takes no unpadded garbage
        "other mode": json.dumps({"data": ecb if secure.cipher == "gcm" else gcm[:-2] + "AA"}),
    }


def test_every_failed_decryption_is_the_same_plain_answer_and_changes_nothing(secure):
    # given
    submission = decided_submission(secure.project)
    admin = MembershipFactory(project=secure.project).user
    body = {"submissionId": submission.pk, "admin": admin.email, "data": {"documentNumber": "M12345678"}}
    before = _submission_state(submission)

    # when
    answers = {
        cause: secure.client.patch("/v3/submission", raw, content_type="application/json")
        for cause, raw in _bad_bodies(secure, body).items()
    }

    # then
    seen = {(r.status_code, r["Content-Type"], r.content) for r in answers.values()}
    assert seen == {(400, "application/json", json.dumps(FAILED, separators=(",", ":")).encode())}
    assert _submission_state(submission) == before


@pytest.mark.parametrize("path", [TOKENS, "/v3/submission/migration", "/v3/submission/review"])
def test_other_endpoints_answer_a_failed_decryption_in_the_same_words(secure, path):
    # when
    response = secure.client.post(path, json.dumps({"data": "not base64!"}), content_type="text/plain")

    # then
    assert (response.status_code, response.json()) == (400, FAILED)
    assert LiveformToken.objects.count() == 0
    assert Submission.objects.count() == 0


def test_a_multipart_upload_stays_plain_and_its_refusal_is_encrypted(secure):
    # when: a multipart POST /v3/submission without its idImage
    response = secure.client.post("/v3/submission", {"email": "user@example.com"})

    # then
    assert secure.answer(response) == (
        400,
        {"errorCode": "missing_data", "message": "Required input data is missing"},
    )
    assert Submission.objects.count() == 0


def test_a_wrong_api_key_is_the_gateways_plain_refusal(secure):
    # when
    response = Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY="x" * 40).get(TOKENS)

    # then
    assert (response.status_code, response.json()) == (403, {"message": "Forbidden"})


def test_a_caller_outside_the_allow_list_gets_the_explicit_deny_encrypted(secure):
    # given
    project_settings_update(project=secure.project, changes={"api_ip_allowlist": ["10.0.0.0/8"]}, actor=ACTOR)

    # when
    response = secure.client.get(TOKENS)

    # then
    assert secure.answer(response) == (
        403,
        {"message": "User is not authorized to access this resource with an explicit deny"},
    )


def test_turning_it_off_gives_the_same_answers_in_the_clear(secure):
    # given
    submission = decided_submission(secure.project)
    url = f"/v3/submission?submission_id={submission.pk}"
    encrypted = secure.answer(secure.client.get(url))

    # when
    project_settings_update(project=secure.project, changes={"secure_transfer": False}, actor=ACTOR)
    response = secure.client.get(url)

    # then
    assert (response.status_code, response.json()) == encrypted


@pytest.mark.parametrize(
    ("cipher", "ciphertext", "content_type"),
    [("cbc", SPEC_ECB, "application/json"), ("gcm", SPEC_GCM, "text/plain")],
)
def test_the_spec_vectors_pass_through_the_parser(cipher, ciphertext, content_type):
    # given
    parser = SecureTransferParser(Transfer(cipher=cipher, key=SPEC_KEY))
    stream = io.BytesIO(json.dumps({"data": ciphertext}).encode())

    # when / then
    assert parser.parse(stream, content_type, {}) == {"userid": "u1"}


def test_the_deploy_check_names_the_projects_in_the_originals_mode(db):
    # given
    argos = Integrator(ProjectFactory(pid="argosmode1"), "cbc")
    Integrator(ProjectFactory(pid="gcmmode001"), "gcm")

    # when
    [warning] = argos_cipher_not_in_use(None)

    # then
    assert warning.id == "idcheck.W004"
    assert warning.msg == "1 project(s) use the original-compatible Secure Data Transfer cipher: argosmode1."
    project_settings_update(project=argos.project, changes={"secure_transfer_cipher": "gcm"}, actor=ACTOR)
    assert argos_cipher_not_in_use(None) == []


@pytest.mark.parametrize(("cipher", "warned"), [("cbc", True), ("gcm", False)])
def test_the_security_page_warns_about_the_originals_mode(project, dashboard_client, cipher, warned):
    # given
    Integrator(project, cipher)

    # when
    response = dashboard_client.get(reverse("dashboard:settings_security", args=[project.pid]))

    # then
    assert response.status_code == 200
    assert (escape(ARGOS_CIPHER_WARNING) in response.content.decode()) is warned
