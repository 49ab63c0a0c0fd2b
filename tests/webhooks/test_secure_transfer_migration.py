"""webhooks 0005: Secure Data Transfer's switch and cipher move from the webhook endpoint to the
project and back, on a real PostgreSQL schema migrated both ways."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("projects", "0011_project_submission_period"), ("webhooks", "0004_recipients_and_summaries")]
AFTER = [("projects", "0012_project_secure_transfer"), ("webhooks", "0006_endpoint_secure_transfer_removed")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def migrator(transactional_db):
    yield _migrate
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())  # the rest of the suite runs on the latest schema


@pytest.mark.django_db(transaction=True)
def test_the_values_move_to_the_project_and_back(migrator):
    # given: three projects on the old schema, two with an endpoint
    old = migrator(BEFORE)
    Project, Endpoint = old.get_model("projects", "Project"), old.get_model("webhooks", "WebhookEndpoint")
    cbc, gcm, bare = (Project.objects.create(name=name, pid=pid) for name, pid in
                      [("cbc", "cbcproject"), ("gcm", "gcmproject"), ("bare", "bareprojec")])  # fmt: skip
    Endpoint.objects.create(project=cbc, url="https://a.example/h", secure_transfer=True, secure_transfer_cipher="cbc")
    Endpoint.objects.create(project=gcm, url="https://b.example/h", secure_transfer=True, secure_transfer_cipher="gcm")

    # when
    new = migrator(AFTER)

    # then
    rows = (
        new.get_model("projects", "Project")
        .objects.order_by("pid")
        .values_list("pid", "secure_transfer", "secure_transfer_cipher", "encryption_key")
    )
    assert list(rows) == [
        ("bareprojec", False, "gcm", "api_key"),
        ("cbcproject", True, "cbc", "api_key"),
        ("gcmproject", True, "gcm", "api_key"),
    ]

    # when: back, after the cbc project turned it off and the bare one turned it on
    new.get_model("projects", "Project").objects.filter(pid="cbcproject").update(secure_transfer=False)
    new.get_model("projects", "Project").objects.filter(pid="bareprojec").update(secure_transfer=True)
    back = migrator(BEFORE)

    # then: each endpoint holds its project's values; the project without one has nowhere to keep them
    endpoints = (
        back.get_model("webhooks", "WebhookEndpoint")
        .objects.order_by("project__pid")
        .values_list("project__pid", "secure_transfer", "secure_transfer_cipher")
    )
    assert list(endpoints) == [("cbcproject", False, "cbc"), ("gcmproject", True, "gcm")]
