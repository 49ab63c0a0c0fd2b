"""G4: the webhook receiver is down while submissions are created and decided; G15/G16: the media
disk fills up under the API. Afterwards every event reached the receiver and nothing was stored
by halves."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.faults.checks import assert_whole, image_names, quiescent, stored_files
from tests.faults.stack import wait_until

pytestmark = pytest.mark.drill
CREATES = 3
STORAGE_FULL = {"message": "Insufficient Storage"}


def test_events_sent_while_the_receiver_was_down_all_arrive_once_it_is_back(stack, world):
    # given: the receiver refuses connections
    world.receiver.stop()

    # when: submissions are created at once; each `created` event's first attempt fails
    with ThreadPoolExecutor(CREATES) as pool:
        answers = list(pool.map(lambda n: world.api.create(world.front, world.selfie, email=f"r{n}@example.com"),
                                range(CREATES)))  # fmt: skip
    failed = "FROM webhooks_webhookdelivery WHERE project_id = %s AND status = 'pending' AND attempts >= 1"
    wait_until(lambda: stack.db.scalar(f"SELECT count(*) {failed}", (world.id,)) == CREATES, timeout=60,
               what="every created event's first attempt to fail", every=0.05)  # fmt: skip
    failed_once = tuple(stack.db.rows(f"SELECT count(*), max(attempts) {failed}", (world.id,))[0])
    world.receiver.start(world.receiver.port)  # on the same port, before the 5 s retry
    back = time.monotonic()

    # then: every event delivered (none dead-lettered), each webhook-id once at the receiver
    assert failed_once == (CREATES, 1)
    assert [answer.status for answer in answers] == [200] * CREATES
    final = assert_whole(stack.db, stack.env, world.id, submissions=CREATES, receiver=world.receiver)
    attempts = stack.db.scalar("SELECT sum(attempts) FROM webhooks_webhookdelivery WHERE project_id = %s", (world.id,))
    assert attempts == final.events + CREATES  # one failed attempt per created event, none after
    print(f"\nreceiver: {final}, {attempts} attempts, all delivered {time.monotonic() - back:.1f} s after")  # noqa: T201


def test_a_full_media_disk_refuses_uploads_with_507_and_stores_nothing_by_halves(stack, world):
    # given: one submission stored, then the disk filled to the last byte
    first = world.api.create(world.front, world.selfie, email="first@example.com")
    assert first.status == 200
    before = stack.db.scalar("SELECT credits FROM projects_project WHERE id = %s", (world.id,))
    try:
        left = stack.disk.fill()

        # when: two more creates while the disk is full
        refused = [world.api.create(world.front, world.selfie, email=f"full{n}@example.com") for n in range(2)]
        read = world.api.call("GET", "/v3/submission?count=10")
        stored = stored_files(stack.disk.folder)
    finally:
        stack.disk.free()  # whatever happened, the next drill gets its disk back

    # then: 507 with the documented body, no row, no debit, no file (not even a partial one)
    assert left < 4096  # not a page left: the sealed images are tens of kilobytes
    assert [(a.status, a.json(), a.headers["retry-after"]) for a in refused] == [(507, STORAGE_FULL, "60")] * 2
    assert read.status == 200
    assert stack.db.scalar("SELECT credits FROM projects_project WHERE id = %s", (world.id,)) == before
    assert stack.db.scalar("SELECT count(*) FROM submissions_submission WHERE project_id = %s", (world.id,)) == 1
    assert stored == image_names(stack.db)

    # when: space is freed (above), the same create succeeds
    again = world.api.create(world.front, world.selfie, email="again@example.com")

    # then
    assert again.status == 200
    quiescent(stack.db, world.id, submissions=2)
    final = assert_whole(stack.db, stack.env, world.id, submissions=2, receiver=world.receiver)
    print(f"\ndisk full: {final}")  # noqa: T201
