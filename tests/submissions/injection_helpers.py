"""Shared pieces of the address injection tests: a decided Liveform submission and the link."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlencode

from django.test import Client

from network.models import IpOrigin
from network.services import ClientInfo
from projects.actors import Actor
from submissions import vault
from submissions.models import RunState, Submission, SubmissionStatus
from submissions.services import SubmissionDetails, submission_create
from tests.policy.builders import genuine
from tests.submissions.api.helpers import photo

ACTOR = Actor.system("test")
ADDRESS = {"street": "12 Rue de Rivoli", "city": "Paris", "postal_code": "75001", "country": "FRA"}


def liveform_submission(project, *, status: str = SubmissionStatus.APPROVED) -> Submission:
    """A Liveform submission as a run leaves it decided (the genuine passport's evidence sealed)."""
    with mock.patch("submissions.services.create.run_enqueue", autospec=True):  # decided below, not run
        submission = submission_create(
            project=project, source="liveform", actor=ACTOR, images={"id_front": photo()},
            details=SubmissionDetails(email="person@example.com", userid="user-7", cf1="first"),
            client=ClientInfo(ip="198.51.100.7", ip_origin=IpOrigin.REQUEST),
        )  # fmt: skip
    sealed = vault.seal_json(submission, genuine().to_json(), context=vault.EVIDENCE_CONTEXT)
    Submission.objects.filter(pk=submission.pk).update(
        status=status, run_state=RunState.DECIDED, decided_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
        reviewer="system", sealed_evidence=sealed, applicant_id="a" * 20 if status == "approved" else "",
        duplicated_information="d" * 64,
    )  # fmt: skip
    submission.refresh_from_db()
    return submission


def injection_link(client: Client, **params: str) -> Any:
    return client.get("/form/?" + urlencode(params))


def address_post(client: Client, **changes: Any) -> Any:
    flow = client.session["liveform_injection"]["flow"]
    data = {"flow": flow, **ADDRESS, "photo": _upload(), **changes}
    return client.post("/form/injection/address", {key: value for key, value in data.items() if value is not None})


def _upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bill.jpg", photo(), content_type="image/jpeg")


def city_database(path: Path, *, latitude: float, longitude: float) -> Path:
    """A MaxMind-format City database placing 127.0.0.0/8 (the test client) at one point."""
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-City")
    writer.insert_network(IPSet(["127.0.0.0/8"]), {"location": {"latitude": latitude, "longitude": longitude},
                                                   "country": {"iso_code": "XX"}})  # fmt: skip
    writer.to_db_file(str(path))
    return path
