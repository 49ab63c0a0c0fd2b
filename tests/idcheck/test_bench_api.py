"""The baseline views exist only when asked for; ``bench_api`` measures against a live gunicorn."""

from __future__ import annotations

import importlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import Resolver404, clear_url_caches, resolve

import idcheck.urls
from projects.models import ApiKey, Project
from submissions.models import Submission


@pytest.fixture
def reload_urls(monkeypatch):
    """Re-reads idcheck.urls under the current environment; the real one is restored after."""

    def reload() -> None:
        importlib.reload(idcheck.urls)
        clear_url_caches()

    yield reload
    monkeypatch.undo()
    reload()


@pytest.mark.parametrize("value", [None, "0", "false"])
def test_it_does_not_route_the_baseline_views_without_the_variable(monkeypatch, reload_urls, client, value):
    # given the variable unset or off at start-up
    if value is None:
        monkeypatch.delenv("IDCHECK_BENCH_BASELINE_VIEWS", raising=False)
    else:
        monkeypatch.setenv("IDCHECK_BENCH_BASELINE_VIEWS", value)
    reload_urls()

    # then neither baseline resolves, and a request gets the site's 404
    for path in ("/bench-baseline/django", "/bench-baseline/drf"):
        with pytest.raises(Resolver404):
            resolve(path)
        assert client.get(path, HTTP_HOST="127.0.0.1").status_code == 404


def test_it_never_routes_them_in_production(monkeypatch, reload_urls):
    # given the variable set on a production installation
    monkeypatch.setenv("IDCHECK_BENCH_BASELINE_VIEWS", "1")
    monkeypatch.setenv("IDCHECK_PRODUCTION", "true")
    reload_urls()

    # then they are not routed
    with pytest.raises(Resolver404):
        resolve("/bench-baseline/django")


def test_it_routes_them_with_the_variable(monkeypatch, reload_urls, client):
    # given the variable set at start-up
    monkeypatch.setenv("IDCHECK_BENCH_BASELINE_VIEWS", "1")
    monkeypatch.delenv("IDCHECK_PRODUCTION", raising=False)
    reload_urls()

    # when both are requested without a key
    answers = [client.get(path, HTTP_HOST="127.0.0.1") for path in ("/bench-baseline/django", "/bench-baseline/drf")]

    # then both answer the same small body
    assert [(answer.status_code, answer.json()) for answer in answers] == [(200, {"status": "ok"})] * 2


def test_the_site_as_started_does_not_route_them():
    with pytest.raises(Resolver404):
        resolve("/bench-baseline/drf")


@pytest.mark.django_db(transaction=True)
def test_it_measures_every_endpoint_against_gunicorn_and_keeps_nothing():
    out = io.StringIO()

    # when a tiny run goes against a live gunicorn
    call_command("bench_api", "--seconds", "0.5", "--rows", "50", "--creates", "2", "--concurrency", "2", stdout=out)

    # then every endpoint has a row with no errors, and nothing is left behind
    table = out.getvalue().split("(2 workers × 4 threads)")[1].splitlines()[2:7]
    assert [row[:36].rstrip() for row in table] == [
        "GET /v3/submission?submission_id=…", "GET /v3/submission?count=50", "bare Django view",
        "bare DRF APIView", "POST /v3/submission (in-process)",
    ]  # fmt: skip
    assert [int(row.split()[-3]) for row in table] == [0, 0, 0, 0, 0]
    assert [model.objects.count() for model in (Project, ApiKey, Submission)] == [0, 0, 0]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--seconds", "61"], "--seconds must be in"),
        (["--concurrency", "0"], "--concurrency in 1–64"),
        (["--rows", "10"], "--rows must be at least 50"),
    ],
)
def test_it_refuses_unbounded_or_too_small_runs(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("bench_api", *arguments)
