"""Projection services (spec §2.13): saving with the spec's rules, the ten-per-project limit,
replacing by name, deleting, the Event Log and Idempotency-Key replays."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection

from projects.actors import Actor
from projects.models import AuditEvent, Projection, ProjectionRequestKey
from projects.selectors import projection_find, projection_ids, projection_list
from projects.services import ProjectionError, ProjectionNotFound, projection_delete, projection_save
from projects.services.projections import ALLOWED_FIELDS, MAX_PER_PROJECT
from tests.factories import ProjectFactory

ACTOR = Actor.system("test")


def _save(project, name: str = "aml_minimal_v1", fields=("gender", "nationality"), **kwargs):
    return projection_save(project=project, name=name, mode="exclude", fields=list(fields), actor=ACTOR, **kwargs)


def _rows(project) -> list[tuple]:
    return list(projection_list(project=project).values_list("name", "mode", "fields"))


def test_it_creates_a_projection_with_a_13_character_id(project):
    # when
    saved = _save(project)

    # then
    projection = Projection.objects.get(project=project)
    assert saved.created is True
    assert re.fullmatch(r"[a-z0-9]{13}", projection.id)
    assert saved.item == {"projection_id": projection.id, "name": "aml_minimal_v1", "mode": "exclude",
                          "fields": ["gender", "nationality"],
                          "created_at": projection.created_at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}  # fmt: skip
    event = AuditEvent.objects.get(action="projection.created")
    assert (event.project, event.target_type, event.target_id) == (project, "projection", projection.id)
    assert event.details == {"name": "aml_minimal_v1", "fields": ["gender", "nationality"]}


def test_every_field_of_the_allow_list_is_accepted_once_each(project):
    # when
    saved = _save(project, fields=[*ALLOWED_FIELDS, "gender"])

    # then
    assert saved.item["fields"] == list(ALLOWED_FIELDS)


def test_saving_a_name_again_replaces_its_fields_and_keeps_its_id(project):
    # given
    first = _save(project)

    # when
    second = _save(project, fields=["documentNumber"])

    # then
    assert second.created is False
    assert second.item["projection_id"] == first.item["projection_id"]
    assert second.item["created_at"] == first.item["created_at"]
    assert _rows(project) == [("aml_minimal_v1", "exclude", ["documentNumber"])]
    assert AuditEvent.objects.filter(action="projection.updated", target_id=first.item["projection_id"]).count() == 1


@pytest.mark.parametrize(
    ("name", "mode", "fields", "message"),
    [
        (None, "exclude", ["gender"], "name is required"),
        ("Upper", "exclude", ["gender"], "name must be 1 to 64 lowercase letters, digits or underscores"),
        ("", "exclude", ["gender"], "name must be 1 to 64 lowercase letters, digits or underscores"),
        ("a" * 65, "exclude", ["gender"], "name must be 1 to 64 lowercase letters, digits or underscores"),
        ("with-dash", "exclude", ["gender"], "name must be 1 to 64 lowercase letters, digits or underscores"),
        (7, "exclude", ["gender"], "name must be 1 to 64 lowercase letters, digits or underscores"),
        ("ok", None, ["gender"], "mode is required"),
        ("ok", "include", ["gender"], "mode must be exclude"),
        ("ok", "exclude", None, "fields is required"),
        ("ok", "exclude", [], "fields must be a non-empty array of field names"),
        ("ok", "exclude", "gender", "fields must be a non-empty array of field names"),
        ("ok", "exclude", ["gender", 3], "fields must be a non-empty array of field names"),
        (
            "ok",
            "exclude",
            ["gender", "mid_name", "x" * 50],
            f"fields not allowed in a projection: mid_name, {'x' * 40}",
        ),
    ],
)
def test_a_malformed_projection_is_refused_and_nothing_is_written(project, name, mode, fields, message):
    # when
    with pytest.raises(ProjectionError) as refusal:
        projection_save(project=project, name=name, mode=mode, fields=fields, actor=ACTOR)

    # then
    assert (refusal.value.http_status, refusal.value.message) == (400, message)
    assert not Projection.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="projection.").exists()


def test_the_eleventh_projection_is_refused_with_409_and_others_may_still_be_replaced(project):
    # given
    for number in range(MAX_PER_PROJECT):
        _save(project, name=f"p{number}")

    # when
    with pytest.raises(ProjectionError) as refusal:
        _save(project, name="p10")
    replaced = _save(project, name="p3", fields=["cf1"])

    # then
    assert (refusal.value.http_status, refusal.value.message) == (409, "Projection count limit exceeded")
    assert Projection.objects.filter(project=project).count() == MAX_PER_PROJECT
    assert not Projection.objects.filter(name="p10").exists()
    assert replaced.item["fields"] == ["cf1"]


def test_the_limit_and_the_names_are_per_project(project):
    # given
    other = ProjectFactory()
    for number in range(MAX_PER_PROJECT):
        _save(other, name=f"p{number}")

    # when
    saved = _save(project, name="p0")

    # then
    assert saved.created is True
    assert saved.item["projection_id"] != Projection.objects.get(project=other, name="p0").id
    assert projection_find(project=project, name="p0").id == saved.item["projection_id"]
    assert projection_find(project=other, projection_id=saved.item["projection_id"]) is None


def test_find_needs_the_id_and_the_name_to_agree_when_both_are_given(project):
    # given
    first, second = _save(project, name="one"), _save(project, name="two")

    # when, then
    assert projection_find(project=project, projection_id=first.item["projection_id"], name="one").name == "one"
    assert projection_find(project=project, projection_id=first.item["projection_id"], name="two") is None
    assert projection_find(project=project) is None
    assert projection_ids(project=project) == {first.item["projection_id"], second.item["projection_id"]}


def test_it_deletes_a_projection_of_the_project_only(project):
    # given
    mine = _save(project).item["projection_id"]
    other = ProjectFactory()
    theirs = _save(other).item["projection_id"]

    # when
    projection_delete(project=project, projection_id=mine, actor=ACTOR)
    with pytest.raises(ProjectionNotFound) as refusal:
        projection_delete(project=project, projection_id=theirs, actor=ACTOR)

    # then
    assert (refusal.value.http_status, refusal.value.message) == (404, "Projection not found")
    assert not Projection.objects.filter(project=project).exists()
    assert Projection.objects.filter(pk=theirs).exists()
    assert list(AuditEvent.objects.filter(action="projection.deleted").values_list("target_id", flat=True)) == [mine]


def test_an_idempotency_key_replays_the_first_save_and_changes_nothing(project):
    # given
    first = _save(project, idempotency_key="key-1")

    # when
    again = _save(project, idempotency_key="key-1")

    # then
    assert again == first
    assert AuditEvent.objects.filter(action__startswith="projection.").count() == 1


def test_an_idempotency_key_reused_for_another_request_is_refused(project):
    # given
    _save(project, idempotency_key="key-1")

    # when
    with pytest.raises(ProjectionError) as refusal:
        _save(project, fields=["cf1"], idempotency_key="key-1")

    # then
    assert (refusal.value.http_status, refusal.value.message) == (
        422,
        "This Idempotency-Key was used with a different request.",
    )
    assert _rows(project) == [("aml_minimal_v1", "exclude", ["gender", "nationality"])]


def test_a_replayed_deletion_succeeds_again_and_a_too_long_key_is_refused(project):
    # given
    projection_id = _save(project).item["projection_id"]
    projection_delete(project=project, projection_id=projection_id, actor=ACTOR, idempotency_key="del-1")

    # when
    projection_delete(project=project, projection_id=projection_id, actor=ACTOR, idempotency_key="del-1")
    with pytest.raises(ProjectionError) as refusal:
        _save(project, name="other", idempotency_key="k" * 256)

    # then
    assert refusal.value.message == "invalid format: Idempotency-Key"
    assert AuditEvent.objects.filter(action="projection.deleted").count() == 1
    assert ProjectionRequestKey.objects.filter(project=project).count() == 1
    assert not Projection.objects.filter(project=project).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_never_pass_the_limit():
    # given: room for two more, six callers with a new name each, released together
    project = ProjectFactory()
    for number in range(MAX_PER_PROJECT - 2):
        _save(project, name=f"p{number}")
    barrier = threading.Barrier(6)
    results: list[object] = []

    def create(index: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            results.append(_save(project, name=f"racer{index}"))
        except BaseException as exc:  # noqa: BLE001 (asserted on below)
            results.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=create, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then: two fit, four are told the limit is reached
    refused = [r for r in results if isinstance(r, ProjectionError)]
    assert (len(results) - len(refused), len(refused)) == (2, 4), results
    assert {r.message for r in refused} == {"Projection count limit exceeded"}
    assert Projection.objects.filter(project=project).count() == MAX_PER_PROJECT
