"""Two runs of the same person at the same moment never both pass as "no duplicate" (§8.6).

Each run records its DI and looks it up inside a transaction (here the enclosing one stands for
the decision transaction); the second run's look-up waits on the per-(project, DI) advisory
lock until the first commits, so it sees the first one's DI. Without the lock the second reads
before the first commits and both find nothing.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from submissions.duplicates import duplicates_lookup
from submissions.models import Submission
from tests.factories import ProjectFactory
from tests.submissions.duplicates_helpers import ago, keyed_submission, person

pytestmark = pytest.mark.django_db(transaction=True)

# How long the first run keeps its transaction open after its look-up, waiting for the second
# run's look-up to return. With the lock the second blocks, so the first commits after this.
HOLD_SECONDS = 1.5


def _race(first: Submission, second: Submission) -> dict[str, object]:
    """``first`` records and looks up, then holds its transaction open while ``second`` does."""
    first_looked, second_looked = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def run(name: str, submission: Submission, before: threading.Event | None, after: threading.Event) -> None:
        try:
            if before is not None:
                assert before.wait(timeout=30)
            with transaction.atomic():
                results[name] = duplicates_lookup(submission, document=person())
                after.set()
                if name == "first":
                    second_looked.wait(timeout=HOLD_SECONDS)
        except BaseException as exc:  # noqa: BLE001 (asserted below)
            results[name] = exc
            after.set()
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("first", first, None, first_looked)),
        threading.Thread(target=run, args=("second", second, first_looked, second_looked)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.mark.parametrize("earlier_runs_first", [True, False], ids=["earlier-first", "later-first"])
def test_two_runs_of_the_same_person_at_once_do_not_both_pass(earlier_runs_first):
    # given: two submissions of one person, neither verified yet
    project = ProjectFactory()
    earlier = keyed_submission(project, created_at=ago(minutes=2))
    later = keyed_submission(project, created_at=ago(minutes=1))
    first, second = (earlier, later) if earlier_runs_first else (later, earlier)

    # when: both record their DI and look it up at the same moment
    results = _race(first, second)

    # then: the second one to look up found the first; the first found nothing
    assert [type(results[name]).__name__ for name in ("first", "second")] == ["DuplicateEvidence"] * 2
    assert results["first"].di == ()
    assert [m.submission_id for m in results["second"].di] == [first.pk]
    stored = set(Submission.objects.filter(project=project).values_list("duplicated_information", flat=True))
    assert len(stored) == 1
    assert "" not in stored


def test_other_people_do_not_wait_for_each_other():
    # given: two different people
    project = ProjectFactory()
    one = keyed_submission(project, created_at=ago(minutes=2))
    other = keyed_submission(project, created_at=ago(minutes=1))
    done = threading.Event()
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                duplicates_lookup(one, document=person())
                assert done.wait(timeout=30)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        # when: the second person's look-up runs while the first's transaction is open
        found = duplicates_lookup(other, document=person(surname="Schmidt"))
    finally:
        done.set()
        holder.join(timeout=60)

    # then: it did not block (the holder is still waiting for ``done`` above) and found nobody
    assert found.di == ()
    assert errors == []
