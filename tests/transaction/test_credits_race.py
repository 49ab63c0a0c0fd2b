"""Credits are never oversold or lost under concurrent submissions and top-ups (G1)."""

from __future__ import annotations

import base64
import json

import pytest
from django.db.models import Sum
from django.test import Client

from projects.actors import Actor
from projects.models import AuditEvent, CreditLedgerEntry, Project
from projects.models.credits import CreditReason
from projects.services import InsufficientCredits, api_key_issue, credits_top_up
from submissions.models import Submission
from submissions.services import submission_create
from tests.conftest import TEST_HOST
from tests.factories import ProjectFactory
from tests.submissions.api.helpers import photo

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 100
INITIAL = 50
TOP_UP = 30


def _create(project: Project):
    def target(index: int) -> Submission:
        return submission_create(project=project, source="api", actor=Actor.system(f"race-{index}"))

    return target


def _debits(project: Project):
    return CreditLedgerEntry.objects.filter(project=project, reason=CreditReason.SUBMISSION)


@pytest.mark.parametrize("round_", range(3))
def test_it_sells_exactly_the_credits_it_has(run_in_threads, round_):
    # given
    project = ProjectFactory(credits=INITIAL)

    # when
    results = run_in_threads(_create(project), THREADS)

    # then
    successes = [result for result in results if isinstance(result, Submission)]
    refusals = [result for result in results if isinstance(result, InsufficientCredits)]
    others = [result for result in results if not isinstance(result, (Submission, InsufficientCredits))]
    assert others == []
    assert len(successes) == INITIAL
    assert len(refusals) == THREADS - INITIAL
    assert {(refusal.code, refusal.http_status) for refusal in refusals} == {("insufficient_credits", 402)}
    project.refresh_from_db()
    assert project.credits == 0
    assert Submission.objects.filter(project=project).count() == INITIAL
    debits = _debits(project)
    assert debits.count() == INITIAL
    assert set(debits.values_list("delta", flat=True)) == {-1}
    assert set(debits.values_list("submission_id", flat=True)) == {submission.id for submission in successes}
    assert sorted(debits.values_list("balance_after", flat=True)) == list(range(INITIAL))
    assert INITIAL == project.credits - debits.aggregate(total=Sum("delta"))["total"]
    assert AuditEvent.objects.filter(project=project, action="submission.created").count() == INITIAL


def test_a_racing_top_up_is_neither_lost_nor_oversold(run_in_threads):
    # given: one thread tops up while a hundred spend
    project = ProjectFactory(credits=INITIAL)
    create = _create(project)

    def target(index: int):
        if index == THREADS:
            return credits_top_up(project=project, amount=TOP_UP, actor=Actor.system("race-top-up"))
        return create(index)

    # when
    results = run_in_threads(target, THREADS + 1)

    # then
    top_up = results[THREADS]
    assert isinstance(top_up, CreditLedgerEntry)
    spenders = results[:THREADS]
    successes = [result for result in spenders if isinstance(result, Submission)]
    others = [result for result in spenders if not isinstance(result, (Submission, InsufficientCredits))]
    assert others == []
    assert INITIAL <= len(successes) <= INITIAL + TOP_UP
    project.refresh_from_db()
    debits = _debits(project)
    debited = -debits.aggregate(total=Sum("delta"))["total"]
    assert INITIAL + TOP_UP == project.credits + debited
    assert len(successes) == debits.count() == debited == Submission.objects.filter(project=project).count()
    ledger_total = CreditLedgerEntry.objects.filter(project=project).aggregate(total=Sum("delta"))["total"]
    assert INITIAL + ledger_total == project.credits


def test_projects_racing_side_by_side_keep_their_own_balances(run_in_threads):
    # given
    projects = [ProjectFactory(credits=10) for _ in range(4)]

    def target(index: int) -> Submission:
        return _create(projects[index % 4])(index)

    # when
    results = run_in_threads(target, 60)

    # then
    assert sum(isinstance(result, Submission) for result in results) == 40
    assert sum(isinstance(result, InsufficientCredits) for result in results) == 20
    for project in projects:
        project.refresh_from_db()
        assert project.credits == 0
        assert _debits(project).count() == Submission.objects.filter(project=project).count() == 10


# One round in every run; the goal's 20 rounds with `make test-slow`.
@pytest.mark.parametrize("round_", [0, *(pytest.param(n, marks=pytest.mark.slow) for n in range(1, 20))])
def test_a_hundred_api_calls_on_fifty_credits_get_fifty_200s_and_fifty_402s(run_in_threads, round_):
    # given: the real door, POST /v3/submission, one client (own connection) per thread
    project = ProjectFactory(credits=INITIAL)
    key = api_key_issue(project=project, actor=Actor.system("test")).plaintext
    body = json.dumps({"idImage": base64.b64encode(photo()).decode()})

    def post(index: int):
        client = Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=key)
        response = client.post("/v3/submission", data=body, content_type="application/json")
        return response.status_code, response.json()

    # when
    results = run_in_threads(post, THREADS)

    # then: no 5xx, exactly the credits sold, and the ledger explains the balance
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * INITIAL + [402] * (THREADS - INITIAL)
    assert {answer["errorCode"] for status, answer in results if status == 402} == {"insufficient_credits"}
    created = {answer["submissionId"] for status, answer in results if status == 200}
    project.refresh_from_db()
    debits = _debits(project)
    assert project.credits == 0
    assert set(debits.values_list("submission_id", flat=True)) == created
    assert set(Submission.objects.filter(project=project).values_list("pk", flat=True)) == created
    assert INITIAL == project.credits - debits.aggregate(total=Sum("delta"))["total"]
