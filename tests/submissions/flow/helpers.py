"""Shared steps of the Liveform tests: open a link, walk the steps, encrypt parameters."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlencode

from django.test import Client

from idcheck.lib.crypto import payload_encrypt_ecb
from projects.models import CreditLedgerEntry
from submissions.flow.state import SESSION_KEY
from submissions.models import Submission
from tests.conftest import TEST_HOST


def flow_client() -> Client:
    return Client(HTTP_HOST=TEST_HOST, HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile")


def open_link(client: Client, pid: str, **params: str) -> Any:
    return client.get("/form/?" + urlencode({"pid": pid, **params}))


def encrypted(api_key: str, values: dict[str, Any]) -> str:
    return payload_encrypt_ecb(json.dumps(values).encode(), key=hashlib.sha256(api_key.encode()).digest())


def flow_id(client: Client) -> str:
    return client.session[SESSION_KEY]["flow"]


def post(client: Client, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(path, {"flow": flow_id(client), **(data or {})})


def walk_to_capture(
    client: Client, pid: str, *, country: str = "EST", id_type: str = "passport", **params: str
) -> None:
    """Open the link and answer consent, e-mail, country and ID type."""
    assert open_link(client, pid, **params).status_code == 302
    assert post(client, "/form/consent", {"agree": "on"}).status_code == 302
    if "email" not in params:
        assert post(client, "/form/email", {"email": "person@example.com"}).status_code == 302
    assert post(client, "/form/country", {"choice": country}).status_code == 302
    response = post(client, "/form/id-type", {"choice": id_type})
    assert response.status_code == 302, response.content


def nothing_written(project) -> bool:
    """No submission and no credit debited: a refusal changed nothing."""
    project.refresh_from_db()
    return (
        not Submission.objects.filter(project=project).exists()
        and not CreditLedgerEntry.objects.filter(project=project, delta__lt=0).exists()
    )


# The confirmation page's fields as a person types them when the document could not be read.
DETAILS = {
    "surname": "DOE",
    "given_names": "JANE",
    "birth_date": "1990-01-31",
    "document_number": "X1234567",
    "expiry_date": "2031-01-01",
    "nationality": "EST",
    "sex": "F",
}


def confirm_details(client: Client, **changes: str) -> Any:
    """Post the OCR confirmation page (shown for a photo the engine cannot read)."""
    return post(client, "/form/review", {**DETAILS, **changes})
