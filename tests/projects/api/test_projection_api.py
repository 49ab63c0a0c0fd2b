"""``/v3/projection`` and ``/v3/projection/{projectionId}``: the spec's bodies and messages (404,
405, 409, 500), the 400 refusals, Idempotency-Key replays, and one project never seeing or
touching another's projections (spec §2.13)."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.test import Client

from projects.actors import Actor
from projects.models import Projection
from projects.services import api_key_issue, projection_save
from projects.services.projections import MAX_PER_PROJECT
from tests.conftest import TEST_HOST
from tests.factories import ProjectFactory

URL = "/v3/projection"
BODY = {"name": "aml_minimal_v1", "mode": "exclude", "fields": ["gender", "nationality"]}
METHOD_NOT_ALLOWED = {"message": "Method not allowed for /projections/projectionId path"}


def _post(client: Client, body, **headers):
    return client.post(URL, json.dumps(body), content_type="application/json", headers=headers)


def _create(project, name: str = "aml_minimal_v1", fields=("gender", "nationality")) -> str:
    saved = projection_save(project=project, name=name, mode="exclude", fields=list(fields), actor=Actor.system("t"))
    return saved.item["projection_id"]


def _rows(project) -> list[tuple]:
    return sorted(Projection.objects.filter(project=project).values_list("id", "name", "fields"))


def test_it_creates_a_projection_and_answers_with_the_item(api_client, project):
    # when
    response = _post(api_client, BODY)

    # then
    projection = Projection.objects.get(project=project)
    item = {"projection_id": projection.id, "name": "aml_minimal_v1", "mode": "exclude",
            "fields": ["gender", "nationality"], "created_at": response.json()["item"]["created_at"]}  # fmt: skip
    assert response.status_code == 200
    assert response.json() == {"projection_id": projection.id, "item": item, "message": "Create projection success"}
    assert response.json()["item"]["created_at"].endswith("Z")


def test_posting_a_name_again_updates_the_projection(api_client, project):
    # given
    projection_id = _create(project)

    # when
    response = _post(api_client, {**BODY, "fields": ["documentNumber"]})

    # then
    assert response.status_code == 200
    assert response.json()["message"] == "Update projection success"
    assert response.json()["projection_id"] == projection_id
    assert _rows(project) == [(projection_id, "aml_minimal_v1", ["documentNumber"])]


def test_it_lists_the_projects_projections_oldest_first(api_client, project):
    # given
    first, second = _create(project, "first"), _create(project, "second", ["cf1"])
    _create(ProjectFactory(), "theirs")

    # when
    response = api_client.get(URL)

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Get projection list success"
    assert [(i["projection_id"], i["name"], i["mode"], i["fields"]) for i in body["items"]] == [
        (first, "first", "exclude", ["gender", "nationality"]),
        (second, "second", "exclude", ["cf1"]),
    ]
    assert all(set(item) == {"projection_id", "name", "mode", "fields", "created_at"} for item in body["items"])


def test_an_empty_list_is_a_success(api_client):
    # when
    response = api_client.get(URL)

    # then
    assert (response.status_code, response.json()) == (200, {"items": [], "message": "Get projection list success"})


def test_it_reads_one_projection(api_client, project):
    # given
    projection_id = _create(project)

    # when
    response = api_client.get(f"{URL}/{projection_id}")

    # then
    assert response.status_code == 200
    assert response.json()["message"] == "Get projection success"
    assert response.json()["item"]["projection_id"] == projection_id
    assert response.json()["item"]["fields"] == ["gender", "nationality"]


def test_it_deletes_one_projection(api_client, project):
    # given
    projection_id = _create(project)

    # when
    response = api_client.delete(f"{URL}/{projection_id}")

    # then
    assert (response.status_code, response.json()) == (200, {"message": "Delete projection success"})
    assert _rows(project) == []


@pytest.mark.parametrize("method", ["get", "delete"])
def test_an_unknown_id_is_404(api_client, project, method):
    # given
    _create(project)

    # when
    response = getattr(api_client, method)(f"{URL}/55sqp8ma0jvwh")

    # then
    assert (response.status_code, response.json()) == (404, {"message": "Projection not found"})
    assert len(_rows(project)) == 1


def test_another_projects_projection_is_404_and_stays(api_client, project):
    # given
    other = ProjectFactory()
    theirs = _create(other)

    # when
    read = api_client.get(f"{URL}/{theirs}")
    deleted = api_client.delete(f"{URL}/{theirs}")

    # then
    assert (read.status_code, read.json()) == (404, {"message": "Projection not found"})
    assert (deleted.status_code, deleted.json()) == (404, {"message": "Projection not found"})
    assert len(_rows(other)) == 1


def test_the_query_string_form_of_delete_is_405(api_client, project):
    # given
    projection_id = _create(project)

    # when
    response = api_client.delete(f"{URL}?projectionId={projection_id}")

    # then
    assert (response.status_code, response.json()) == (405, METHOD_NOT_ALLOWED)
    assert len(_rows(project)) == 1


@pytest.mark.parametrize(
    ("method", "path"), [("put", ""), ("patch", ""), ("put", "/x"), ("patch", "/x"), ("post", "/x")]
)
def test_other_methods_are_405(api_client, project, method, path):
    # when
    response = getattr(api_client, method)(f"{URL}{path}", json.dumps(BODY), content_type="application/json")

    # then
    assert (response.status_code, response.json()) == (405, METHOD_NOT_ALLOWED)
    assert _rows(project) == []


def test_the_eleventh_projection_is_409(api_client, project):
    # given
    for number in range(MAX_PER_PROJECT):
        _create(project, f"p{number}")

    # when
    response = _post(api_client, {**BODY, "name": "p10"})

    # then
    assert (response.status_code, response.json()) == (409, {"message": "Projection count limit exceeded"})
    assert len(_rows(project)) == MAX_PER_PROJECT


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([1, 2], "The body must be a JSON object."),
        ({**BODY, "extra": 1}, "unknown members: extra"),
        ({"mode": "exclude", "fields": ["gender"]}, "name is required"),
        ({**BODY, "name": "Bad Name"}, "name must be 1 to 64 lowercase letters, digits or underscores"),
        ({"name": "ok", "fields": ["gender"]}, "mode is required"),
        ({**BODY, "mode": "include"}, "mode must be exclude"),
        ({"name": "ok", "mode": "exclude"}, "fields is required"),
        ({**BODY, "fields": []}, "fields must be a non-empty array of field names"),
        ({**BODY, "fields": ["mid_name"]}, "fields not allowed in a projection: mid_name"),
    ],
)
def test_a_malformed_body_is_400_with_a_sentence(api_client, project, body, message):
    # when
    response = _post(api_client, body)

    # then
    assert (response.status_code, response.json()) == (400, {"message": message})
    assert _rows(project) == []


def test_a_body_that_is_not_json_is_400(api_client, project):
    # when
    response = api_client.post(URL, "{not json", content_type="application/json")

    # then
    assert (response.status_code, response.json()) == (400, {"message": "The body must be a JSON object."})
    assert _rows(project) == []


def test_a_query_string_on_the_list_is_the_gateways_400(api_client, project):
    # when
    response = api_client.get(f"{URL}?projectionId=55sqp8ma0jvwh")

    # then
    assert (response.status_code, response.json()) == (400, {"message": "Invalid Query String parameters"})


def test_an_unexpected_failure_is_500_internal_server_error(api_client, project):
    # given
    with mock.patch("projects.api.views.projection_list", side_effect=RuntimeError("boom")):
        # when
        response = api_client.get(URL)

    # then
    assert (response.status_code, response.json()) == (500, {"message": "Internal server error"})


def test_a_missing_key_is_the_gateways_403(db, project):
    # given
    client = Client(HTTP_HOST=TEST_HOST)

    # when
    response = client.post(URL, json.dumps(BODY), content_type="application/json")

    # then
    assert (response.status_code, response.json()) == (403, {"message": "Forbidden"})
    assert _rows(project) == []


def test_an_idempotency_key_replays_post_and_delete(api_client, project):
    # given
    created = _post(api_client, BODY, **{"Idempotency-Key": "create-1"})
    projection_id = created.json()["projection_id"]

    # when
    replayed = _post(api_client, BODY, **{"Idempotency-Key": "create-1"})
    mismatch = _post(api_client, {**BODY, "fields": ["cf1"]}, **{"Idempotency-Key": "create-1"})
    deleted = api_client.delete(f"{URL}/{projection_id}", headers={"Idempotency-Key": "delete-1"})
    deleted_again = api_client.delete(f"{URL}/{projection_id}", headers={"Idempotency-Key": "delete-1"})

    # then
    assert replayed.json() == created.json()
    assert (mismatch.status_code, mismatch.json()) == (
        422,
        {"message": "This Idempotency-Key was used with a different request."},
    )
    assert (deleted.status_code, deleted_again.status_code) == (200, 200)
    assert deleted_again.json() == {"message": "Delete projection success"}
    assert _rows(project) == []


def test_two_projects_keep_separate_lists_with_the_same_name(api_client, project):
    # given
    other = ProjectFactory()
    other_client = Client(
        HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=api_key_issue(project=other, actor=Actor.system("t")).plaintext
    )

    # when
    mine = _post(api_client, BODY)
    theirs = _post(other_client, {**BODY, "fields": ["cf1"]})

    # then
    assert mine.json()["message"] == theirs.json()["message"] == "Create projection success"
    assert mine.json()["projection_id"] != theirs.json()["projection_id"]
    assert [item["fields"] for item in api_client.get(URL).json()["items"]] == [["gender", "nationality"]]
    assert [item["fields"] for item in other_client.get(URL).json()["items"]] == [["cf1"]]


def test_an_oversized_body_is_the_gateways_413(api_client, project, settings):
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048

    # when
    response = _post(api_client, {**BODY, "name": "a" * 4096})

    # then
    assert (response.status_code, response.json()) == (413, {"message": "Request Entity Too Large"})
    assert _rows(project) == []
