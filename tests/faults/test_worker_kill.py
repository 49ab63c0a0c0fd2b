"""G14: SIGKILL of the pipeline worker's pool child, then of the whole worker, in the middle of a
verification run. Nothing is lost and nothing is doubled: each submission is decided once, paid
once, announced once per event."""

from __future__ import annotations

import time

import pytest

from tests.faults.checks import assert_whole, kill_mid_run, run_of
from tests.faults.drive import Load

pytestmark = pytest.mark.slow
CREATES = 4


def test_a_run_whose_pool_child_is_killed_is_run_again_at_once(stack, world):
    # given: a bounded load, the creates queued faster than one worker decides them
    load = Load(world.api, world.front, world.selfie, creates=CREATES, pause=0).start()

    # when: the pool child dies (SIGKILL) while it holds a claimed run
    started = time.monotonic()
    victim = kill_mid_run(stack.db, stack.pipeline, world.id, whole=False)
    answers = load.join()

    # then: every call answered 200, and the run was taken over by the next child (attempt 2)
    assert [(kind, answer.status) for kind, answer in answers] == [("create", 200), ("read", 200)] * CREATES
    final = assert_whole(stack.db, stack.env, world.id, submissions=CREATES, receiver=stack.receiver)
    assert run_of(stack.db, victim) == ("decided", 2)
    print(f"\nchild kill: {final}, recovered in {time.monotonic() - started:.1f} s")  # noqa: T201


def test_a_run_whose_whole_worker_is_killed_comes_back_after_the_visibility_timeout(stack, world):
    # given
    load = Load(world.api, world.front, world.selfie, creates=CREATES, pause=0).start()

    # when: the whole worker (main process and child) is killed mid-run, then started again
    victim = kill_mid_run(stack.db, stack.pipeline, world.id, whole=True)
    killed = time.monotonic()
    stack.new_pipeline_worker()
    answers = load.join()

    # then: Redis hands the unacknowledged message back (visibility timeout 60 s) and it is taken over
    assert [(kind, answer.status) for kind, answer in answers] == [("create", 200), ("read", 200)] * CREATES
    final = assert_whole(stack.db, stack.env, world.id, submissions=CREATES, receiver=stack.receiver)
    assert run_of(stack.db, victim) == ("decided", 2)
    print(f"\nworker kill: {final}, victim decided {time.monotonic() - killed:.1f} s after the kill")  # noqa: T201
