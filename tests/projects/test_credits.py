"""Credit top-ups and corrections: one ledger row and one audit row each, never below zero (G1)."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from idcheck.errors import ApplicationError
from projects.actors import Actor
from projects.models import AuditEvent, CreditLedgerEntry
from projects.models.credits import CreditReason
from projects.services import credits_top_up
from projects.services.credits import MAX_TOP_UP
from tests.factories import ProjectFactory, UserFactory


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def actor(staff) -> Actor:
    return Actor(user=staff, label=f"user:{staff.pk}", ip_address="10.1.2.3", request_id="req-1")


def test_a_top_up_adds_credits_with_a_ledger_row_and_an_audit_row(actor, staff):
    # given
    project = ProjectFactory(credits=100)

    # when
    entry = credits_top_up(project=project, amount=25, actor=actor, note="invoice 42")

    # then
    project.refresh_from_db()
    assert project.credits == 125
    assert list(CreditLedgerEntry.objects.filter(project=project)) == [entry]
    assert (entry.delta, entry.balance_after, entry.reason, entry.actor, entry.note) == (
        25,
        125,
        CreditReason.TOP_UP,
        staff,
        "invoice 42",
    )
    event = AuditEvent.objects.get(project=project)
    assert event.action == "credits.topped_up"
    assert (event.target_type, event.target_id) == ("credit_ledger", str(entry.pk))
    assert event.details == {"delta": 25, "balance_after": 125}
    assert (event.actor_user, event.ip_address, event.request_id) == (staff, "10.1.2.3", "req-1")


def test_a_correction_takes_credits_away(actor):
    # given
    project = ProjectFactory(credits=100)

    # when
    entry = credits_top_up(project=project, amount=-100, actor=actor)

    # then
    project.refresh_from_db()
    assert project.credits == 0
    assert (entry.delta, entry.balance_after, entry.reason) == (-100, 0, CreditReason.ADJUSTMENT)
    assert AuditEvent.objects.get(project=project).action == "credits.adjusted"


def test_a_correction_cannot_go_below_zero(actor):
    # given
    project = ProjectFactory(credits=10)

    # when
    with pytest.raises(ApplicationError) as refused:
        credits_top_up(project=project, amount=-11, actor=actor)

    # then
    assert refused.value.code == "invalid_amount"
    project.refresh_from_db()
    assert project.credits == 10
    assert not CreditLedgerEntry.objects.filter(project=project).exists()
    assert not AuditEvent.objects.filter(project=project).exists()


@pytest.mark.parametrize("amount", [0, MAX_TOP_UP + 1, -(MAX_TOP_UP + 1)])
def test_it_refuses_an_amount_out_of_range(actor, amount):
    # given
    project = ProjectFactory(credits=10)

    # when
    with pytest.raises(ApplicationError) as refused:
        credits_top_up(project=project, amount=amount, actor=actor)

    # then
    assert refused.value.code == "invalid_amount"
    project.refresh_from_db()
    assert project.credits == 10
    assert not CreditLedgerEntry.objects.filter(project=project).exists()
    assert not AuditEvent.objects.filter(project=project).exists()


def test_the_largest_top_up_is_accepted(actor):
    project = ProjectFactory(credits=0)

    credits_top_up(project=project, amount=MAX_TOP_UP, actor=actor)

    project.refresh_from_db()
    assert project.credits == MAX_TOP_UP


def test_the_callers_project_object_shows_the_new_balance(actor):
    # given
    project = ProjectFactory(credits=5)

    # when
    credits_top_up(project=project, amount=7, actor=actor)

    # then
    assert project.credits == 12


def test_the_ledger_explains_the_balance_after_many_movements(actor):
    # given
    project = ProjectFactory(credits=0)
    amounts = [100, -30, 5, -75, 1]

    # when
    for amount in amounts:
        credits_top_up(project=project, amount=amount, actor=actor)

    # then
    project.refresh_from_db()
    ledger = CreditLedgerEntry.objects.filter(project=project).order_by("id")
    assert project.credits == 1 == ledger.aggregate(total=Sum("delta"))["total"]
    assert list(ledger.values_list("balance_after", flat=True)) == [100, 70, 75, 0, 1]
    assert list(AuditEvent.objects.filter(project=project).order_by("sequence").values_list("sequence", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]


def test_a_top_up_of_another_project_leaves_this_one_alone(actor):
    # given
    mine, theirs = ProjectFactory(credits=10), ProjectFactory(credits=10)

    # when
    credits_top_up(project=theirs, amount=5, actor=actor)

    # then
    mine.refresh_from_db()
    assert mine.credits == 10
    assert not CreditLedgerEntry.objects.filter(project=mine).exists()
