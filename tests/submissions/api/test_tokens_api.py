"""``/v3/submission/tokens``: the spec's bodies and error codes, ``text/plain`` JSON, the list's
keyset continuation, the count, deletion by id and by time (spec §2.10–§2.12)."""

from __future__ import annotations

import datetime as dt
import json
from unittest import mock

import pytest
from django.test import Client

from projects.actors import Actor
from projects.models import LiveformToken
from projects.services import liveform_tokens_register
from tests.conftest import TEST_HOST
from tests.factories import ProjectFactory

URL = "/v3/submission/tokens"


def _post(client: Client, body, content_type: str = "application/json"):
    return client.post(URL, json.dumps(body) if not isinstance(body, str) else body, content_type=content_type)


def _delete(client: Client, body, content_type: str = "application/json"):
    return client.delete(URL, json.dumps(body), content_type=content_type)


def _pool(project) -> list[str]:
    return sorted(LiveformToken.objects.filter(project=project).values_list("token_id", flat=True))


def _register(project, *token_ids: str) -> None:
    liveform_tokens_register(project=project, token_ids=list(token_ids), actor=Actor.system("test"))


def test_it_registers_tokens_with_the_specs_answer(api_client, project):
    # given
    _register(project, "already01")

    # when
    response = _post(api_client, {"tokenId": ["tokenA001", "tokenB001", "tokenC001", "already01"]})

    # then
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "message": "All tokens are now in the pool",
        "summary": {"totalSubmitted": 4, "currentCount": 4, "processed": 4, "failed": 0},
    }
    assert _pool(project) == ["already01", "tokenA001", "tokenB001", "tokenC001"]


def test_a_text_plain_body_is_read_as_json(api_client, project):
    # when
    registered = _post(api_client, {"tokenId": ["plain-text-1"]}, content_type="text/plain")
    deleted = _delete(api_client, {"tokenId": ["plain-text-1"]}, content_type="text/plain")

    # then
    assert (registered.status_code, deleted.status_code) == (200, 200)
    assert deleted.json()["summary"] == {"totalSubmitted": 1, "deleted": 1, "notFound": 0, "failed": 0}
    assert _pool(project) == []


def test_malformed_ids_are_listed_and_the_others_registered(api_client, project):
    # when
    response = _post(api_client, {"tokenId": ["good-token-1", "bad token 1"]})

    # then
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "message": "1 of 2 tokens are now in the pool",
        "summary": {"totalSubmitted": 2, "currentCount": 1, "processed": 1, "failed": 1},
        "details": {
            "failed": [
                {
                    "tokenId": "bad token 1",
                    "errorCode": "invalid_token_id_format",
                    "errorMessage": "A Token ID has 8 to 64 characters among a-z A-Z 0-9 - _ . "
                    "and starts and ends with a letter or digit.",
                }
            ]
        },
    }
    assert _pool(project) == ["good-token-1"]


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '"tokenA001"', '{"tokenId": ["tokenA001"], "x": 1}'])
def test_invalid_payload(api_client, project, body):
    # when
    response = _post(api_client, body)

    # then
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_payload"
    assert _pool(project) == []


@pytest.mark.parametrize("body", [{}, {"tokenId": []}, {"tokenId": "tokenA001"}, {"tokenId": None}])
def test_invalid_token_id(api_client, project, body):
    # when
    response = _post(api_client, body)

    # then
    assert (response.status_code, response.json()) == (
        400,
        {"errorCode": "invalid_token_id", "errorMessage": "tokenId must be a non-empty array of Token IDs."},
    )
    assert _pool(project) == []


def test_invalid_token_id_format(api_client, project):
    # when: not one id is well-formed
    response = _post(api_client, {"tokenId": ["short", ".dot-first1"]})

    # then
    body = response.json()
    assert (response.status_code, body["errorCode"]) == (400, "invalid_token_id_format")
    assert [item["tokenId"] for item in body["details"]] == ["short", ".dot-first1"]
    assert _pool(project) == []


def test_request_token_limit_exceeded(api_client, project):
    # when
    response = _post(api_client, {"tokenId": [f"token{n:05d}" for n in range(501)]})

    # then
    assert (response.status_code, response.json()) == (
        400,
        {"errorCode": "request_token_limit_exceeded", "errorMessage": "At most 500 Token IDs per request."},
    )
    assert _pool(project) == []


def test_token_pool_limit_exceeded(api_client, project):
    # given: a pool of 2 (the real limit is 100,000), full
    _register(project, "token0001", "token0002")

    # when
    with mock.patch("projects.services.tokens.MAX_POOL", 2):
        response = _post(api_client, {"tokenId": ["token0003"]})

    # then
    assert (response.status_code, response.json()["errorCode"]) == (400, "token_pool_limit_exceeded")
    assert _pool(project) == ["token0001", "token0002"]


def test_invalid_path(api_client, project):
    # when
    response = api_client.put(URL, json.dumps({"tokenId": ["tokenA001"]}), content_type="application/json")

    # then
    assert (response.status_code, response.json()) == (
        400,
        {"errorCode": "invalid_path", "errorMessage": "PUT is not supported on /v3/submission/tokens."},
    )
    assert _pool(project) == []


def test_internal_server_error(api_client, project):
    # given: the database fails
    with mock.patch("submissions.api.tokens.liveform_tokens_register", side_effect=RuntimeError("boom")):
        # when
        response = _post(api_client, {"tokenId": ["tokenA001"]})

    # then
    assert (response.status_code, response.json()) == (
        500,
        {"errorCode": "internal_server_error", "errorMessage": "Internal server error."},
    )


def test_a_bad_key_gets_the_gateways_forbidden(project):
    # given: the spec's invalid_project is the gateway's answer here, as for every operation
    client = Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY="x" * 40)

    # when
    response = _post(client, {"tokenId": ["tokenA001"]})

    # then
    assert (response.status_code, response.json()) == (403, {"message": "Forbidden"})
    assert _pool(project) == []


def test_it_reads_one_token(api_client, project):
    # given: one token, another expired
    _register(project, "user001a", "user002b")
    moment = dt.datetime(2024, 1, 15, 10, 30, 45, 123456, tzinfo=dt.UTC)
    LiveformToken.objects.update(updated_at=moment)
    LiveformToken.objects.filter(token_id="user002b").update(expired_at=moment, expired_condition="count")

    # when
    live = api_client.get(f"{URL}?tokenId=user001a")
    expired = api_client.get(f"{URL}?tokenId=user002b")

    # then
    assert live.json() == {
        "success": True,
        "tokenId": "user001a",
        "data": {"tokenId": "user001a", "updateTime": "2024-01-15T10:30:45.123Z"},
    }
    assert expired.json()["data"] == {
        "tokenId": "user002b",
        "updateTime": "2024-01-15T10:30:45.123Z",
        "expired": True,
        "expiredAt": "2024-01-15T10:30:45.123Z",
        "expiredCondition": "count",
    }


def test_token_not_found(api_client, project):
    # given: the token is another project's
    _register(ProjectFactory(), "elsewhere1")

    # when
    response = api_client.get(f"{URL}?tokenId=elsewhere1")

    # then
    assert (response.status_code, response.json()) == (
        404,
        {"errorCode": "token_not_found", "errorMessage": "Token not found."},
    )


def test_the_list_pages_through_the_pool_with_its_continuation_keys(api_client, project):
    # given: five tokens, two registered in the same microsecond
    _register(project, *[f"page-token-{n}" for n in range(5)])
    base = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    for n in range(5):
        LiveformToken.objects.filter(token_id=f"page-token-{n}").update(updated_at=base + dt.timedelta(seconds=n // 2))

    # when: pages of two
    seen, pages, query = [], 0, "limit=2"
    while True:
        body = api_client.get(f"{URL}?{query}").json()
        pages += 1
        seen += [item["tokenId"] for item in body["data"]]
        if "nextPageKeyId" not in body:
            break
        query = f"limit=2&nextPageKeyId={body['nextPageKeyId']}&nextPageKeyTime={body['nextPageKeyTime']}"

    # then
    assert seen == [f"page-token-{n}" for n in range(5)]
    assert pages == 3


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=10001", "limit=ten", "nextPageKeyId=a", "nextPageKeyTime=2025-01-01T00:00:00Z", "type=all",
     "sort=asc"],
)  # fmt: skip
def test_a_bad_query_is_an_invalid_payload(api_client, project, query):
    # when
    response = api_client.get(f"{URL}?{query}")

    # then
    assert (response.status_code, response.json()["errorCode"]) == (400, "invalid_payload")


def test_it_counts_the_pool(api_client, project):
    # given
    _register(project, "count-one", "count-two", "count-three")
    LiveformToken.objects.filter(token_id="count-two").update(expired_at=dt.datetime.now(dt.UTC))

    # when
    response = api_client.get(f"{URL}?type=count")

    # then
    assert response.json() == {"success": True, "count": 3, "expiredCount": 1}


def test_it_deletes_listed_tokens_and_reports_those_not_found(api_client, project):
    # given: the spec's example
    _register(project, "tokenAAAA", "tokenBBBB", "tokenCCCC")

    # when
    response = _delete(api_client, {"tokenId": ["tokenAAAA", "tokenCCCC", "tokenDDDD"]})

    # then
    assert response.json() == {
        "success": True,
        "message": "Successfully deleted 2 tokens",
        "summary": {"totalSubmitted": 3, "deleted": 2, "notFound": 1, "failed": 0},
        "details": {"notFound": ["tokenDDDD"]},
    }
    assert _pool(project) == ["tokenBBBB"]


def test_token_id_not_found(api_client, project):
    # given
    _register(project, "tokenAAAA")

    # when
    response = _delete(api_client, {"tokenId": ["tokenZZZZ"]})

    # then
    assert (response.status_code, response.json()) == (
        400,
        {"errorCode": "token_id_not_found", "errorMessage": "None of the Token IDs is in the pool.",
         "details": ["tokenZZZZ"]},
    )  # fmt: skip
    assert _pool(project) == ["tokenAAAA"]


def test_it_deletes_by_time(api_client, project):
    # given: two old tokens (one expired) and a new one
    _register(project, "old-token1", "old-token2", "new-token1")
    LiveformToken.objects.filter(token_id__startswith="old").update(updated_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    LiveformToken.objects.filter(token_id="old-token2").update(expired_at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC))

    # when
    expired = _delete(api_client, {"updatedBefore": "2025-06-01T00:00:00Z", "expiredOnly": True})
    rest = _delete(api_client, {"updatedBefore": "2025-06-01T00:00:00Z"})

    # then
    assert expired.json() == {"success": True, "message": "Successfully deleted 1 tokens", "summary": {"deleted": 1}}
    assert rest.json()["summary"] == {"deleted": 1}
    assert _pool(project) == ["new-token1"]


@pytest.mark.parametrize(
    "body",
    [
        {"tokenId": ["tokenAAAA"], "updatedBefore": "2025-06-01T00:00:00Z"},
        {"updatedBefore": "yesterday"},
        {"updatedBefore": "2025-06-01T00:00:00Z", "expiredOnly": "yes"},
        {"tokenId": ["tokenAAAA"], "expiredOnly": True},
    ],
)
def test_a_bad_deletion_is_refused_and_deletes_nothing(api_client, project, body):
    # given
    _register(project, "tokenAAAA")

    # when
    response = _delete(api_client, body)

    # then
    assert (response.status_code, response.json()["errorCode"]) == (400, "invalid_payload")
    assert _pool(project) == ["tokenAAAA"]
