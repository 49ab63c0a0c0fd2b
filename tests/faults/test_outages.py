"""G15: PostgreSQL stopped in immediate mode and Redis shut down without saving, in the middle of
a load. While each is away every call answers 503 with the gateway's JSON body (the Liveform
its page), never a 500; once it is back everything recovers without restarting anything, and
nothing is lost or half-written."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.faults.checks import assert_whole, run_of
from tests.faults.drive import OUTAGE_BODY, Answer, Load
from tests.faults.stack import wait_until

pytestmark = pytest.mark.drill
CREATES = 6
LOST = "lost the database"  # submissions.tasks: the run retries itself


def _outage_probes(world) -> list[Answer]:
    """What a client sees while the server is away: a read, a create, a Liveform page."""
    return [
        world.api.call("GET", "/v3/submission?count=10"),
        world.api.create(world.front, world.selfie, email="outage@example.com"),
        world.api.page(f"/form/?pid={world.pid}"),
    ]


def _outage(
    world, *, stop: Callable[[], None], start: Callable[[], None], while_down: Callable[[], object] = lambda: None
) -> tuple[list[Answer], float]:
    """Stop a server, probe while it is away (and wait for ``while_down``), start it again;
    returns the probes and how long after the start the API answered 200 again (no process of
    ours was restarted)."""
    stop()
    probes = _outage_probes(world)
    while_down()
    start()
    back = time.monotonic()
    wait_until(lambda: world.api.call("GET", "/v3/submission?count=10").status == 200, timeout=30,
               what="the API to answer again", every=0.1)  # fmt: skip
    return probes, time.monotonic() - back


def _assert_outage_answers(probes: list[Answer]) -> None:
    read, create, page = probes
    for answer in (read, create):
        assert (answer.status, answer.json(), answer.headers["retry-after"]) == (503, OUTAGE_BODY, "5")
    assert page.status == 503
    assert b"SE-50011" in page.body
    assert b"Service temporarily unavailable" in page.body
    assert not any(b"Traceback" in answer.body for answer in probes)


def _only_ok_or_outage(answers: list[tuple[str, Answer]]) -> dict[int, int]:
    """Status → how many; any answer that is not 200 must be the documented 503."""
    for _, answer in answers:
        assert answer.status in (200, 503), (answer.status, answer.body[:300])
        if answer.status == 503:
            assert answer.json() == OUTAGE_BODY
    statuses: dict[int, int] = {}
    for _, answer in answers:
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
    return statuses


def _processing(stack, world) -> str:
    """The run the pipeline worker has claimed (waits for one)."""
    return wait_until(lambda: stack.db.rows("SELECT id FROM submissions_submission WHERE project_id = %s AND "
                                            "run_state = 'processing'", (world.id,)),
                      timeout=120, what="a run to be claimed", every=0.01)[0][0]  # fmt: skip


def test_postgresql_stopped_in_immediate_mode_answers_503_and_loses_nothing(stack, world):
    # given: a load of creates and reads
    load = Load(world.api, world.front, world.selfie, creates=CREATES, pause=1.0).start()

    # when: PostgreSQL dies at once (every backend killed, crash recovery on start) mid-run, and
    # stays away until the run has noticed
    victim = _processing(stack, world)
    seen = stack.pipeline.log.read_text(errors="replace").count(LOST)
    lost = lambda: wait_until(lambda: stack.pipeline.log.read_text(errors="replace").count(LOST) > seen,  # noqa: E731
                              timeout=90, what="the run to lose the database", every=0.2)  # fmt: skip
    probes, recovered_s = _outage(world, stop=lambda: stack.postgres.stop("immediate"), start=stack.postgres.start,
                                  while_down=lost)  # fmt: skip
    back = time.monotonic() - recovered_s
    wait_until(lambda: run_of(stack.db, victim)[0] == "decided", timeout=120, what="the cut run to be decided")
    victim_s = time.monotonic() - back
    answers = load.join()

    # then: 503 with the gateway body while it was away, 200 again within seconds, never a 500;
    # the run cut short retried itself within a minute, not after its lease (105 s + the beat)
    _assert_outage_answers(probes)
    assert recovered_s < 10
    assert run_of(stack.db, victim)[0] == "decided"
    assert victim_s < 60
    statuses = _only_ok_or_outage(answers)
    created = load.created()
    # exactly the creates that answered 200 exist, each paid once, decided, announced twice
    final = assert_whole(stack.db, stack.env, world.id, submissions=len(created), receiver=world.receiver)
    said = f"API back {recovered_s:.1f} s and the cut run decided {victim_s:.1f} s after the start"
    print(f"\npostgres: {final}, answers {statuses}, {said}")  # noqa: T201


def test_redis_shut_down_without_saving_answers_503_and_loses_nothing(stack, world):
    # given: runs queued behind the one being processed
    load = Load(world.api, world.front, world.selfie, creates=CREATES, pause=0).start()
    wait_until(lambda: stack.db.scalar("SELECT count(*) FROM submissions_submission WHERE project_id = %s AND "
                                       "run_state = 'queued'", (world.id,)) >= 2,
               timeout=120, what="runs waiting in the queue", every=0.01)  # fmt: skip

    # when: Redis goes away and comes back empty: the queued messages are gone
    probes, recovered_s = _outage(world, stop=stack.redis.shutdown_nosave, start=stack.redis.start)
    answers = load.join()

    # then: the API refused while Redis was away (the rate limiter fails closed, G12), and the
    # runs whose messages were lost are queued again by the sweeper (IDCHECK_QUEUED_STALE_SECONDS)
    read, create, _ = probes
    for answer in (read, create):
        assert (answer.status, answer.json()) == (503, OUTAGE_BODY)
    assert probes[2].status == 302  # the Liveform starts its flow (a redirect): it needs no Redis
    assert recovered_s < 10
    statuses = _only_ok_or_outage(answers)
    final = assert_whole(stack.db, stack.env, world.id, submissions=len(load.created()), receiver=world.receiver)
    print(f"\nredis: {final}, answers {statuses}, API back {recovered_s:.1f} s after start")  # noqa: T201
