"""Security headers on API, schema and error responses (G21)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import TEST_HOST


def _api_ok(key: str):
    return Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=key).get("/v3/submission")


def _api_forbidden(key: str):
    return Client(HTTP_HOST=TEST_HOST).get("/v3/submission")


def _api_bad_query(key: str):
    return Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=key).get("/v3/submission?count=0")


def _schema(key: str):
    return Client(HTTP_HOST=TEST_HOST).get("/v3/schema/")


def _api_unknown_path(key: str):
    return Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=key).get("/v3/no-such-endpoint")


def _page_not_found(key: str):
    return Client(HTTP_HOST=TEST_HOST).get("/no-such-page/")


REQUESTS = {
    "api_ok": (_api_ok, 200),
    "api_forbidden": (_api_forbidden, 403),
    "api_bad_query": (_api_bad_query, 400),
    "schema": (_schema, 200),
    "api_unknown_path": (_api_unknown_path, 403),
    "page_not_found": (_page_not_found, 404),
}


@pytest.mark.parametrize("name", REQUESTS)
def test_every_response_carries_the_security_headers(issued_key, name):
    # given
    send, status = REQUESTS[name]

    # when
    response = send(issued_key.plaintext)

    # then
    assert response.status_code == status
    csp = [directive.strip() for directive in response["Content-Security-Policy"].split(";")]
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
    assert len(response["X-Request-ID"]) == 32


def test_it_echoes_a_well_formed_request_id(issued_key):
    # when
    response = Client(HTTP_HOST=TEST_HOST, HTTP_X_REQUEST_ID="req-0123456789").get("/v3/submission")

    # then
    assert response["X-Request-ID"] == "req-0123456789"


@pytest.mark.parametrize("offered", ["short", "has space in it", "x" * 65, "crlf\r\ninjected-header"])
def test_it_replaces_a_malformed_request_id(issued_key, offered):
    # when
    response = Client(HTTP_HOST=TEST_HOST, HTTP_X_REQUEST_ID=offered).get("/v3/submission")

    # then
    assert response["X-Request-ID"] != offered
    assert len(response["X-Request-ID"]) == 32


def test_api_errors_are_json_without_a_traceback(issued_key):
    # when
    response = _api_unknown_path(issued_key.plaintext)

    # then
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"message": "Forbidden"}
