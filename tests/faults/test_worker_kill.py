"""G14: SIGKILL of the pipeline worker's pool child, then of the whole worker, in the middle of a
verification run. Nothing is lost and nothing is doubled: each submission is decided once, paid
once, announced once per event. A run that kills its worker every time stops after three
attempts, failed with its reason."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.faults.checks import assert_whole, kill_mid_run, run_of
from tests.faults.drive import Load
from tests.faults.stack import wait_until

pytestmark = pytest.mark.drill
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
    final = assert_whole(stack.db, stack.env, world.id, submissions=CREATES, receiver=world.receiver)
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
    final = assert_whole(stack.db, stack.env, world.id, submissions=CREATES, receiver=world.receiver)
    assert run_of(stack.db, victim) == ("decided", 2)
    print(f"\nworker kill: {final}, victim decided {time.monotonic() - killed:.1f} s after the kill")  # noqa: T201


def test_a_run_that_kills_its_worker_every_time_is_failed_after_three_attempts(stack, world):
    # given: one submission
    created = world.api.create(world.front, world.selfie, email="poison@example.com")
    assert created.status == 200
    submission_id = created.json()["submissionId"]

    # when: its pool child dies during each of its attempts (a poison message)
    for attempt in (1, 2, 3):
        wait_until(lambda attempt=attempt: run_of(stack.db, submission_id) == ("processing", attempt), timeout=120,
                   what=f"attempt {attempt} to be claimed", every=0.01)  # fmt: skip
        [child] = wait_until(stack.pipeline.children, timeout=30, what="a pool child", every=0.05)
        os.kill(child, signal.SIGKILL)
    killed = time.monotonic()

    # then: no fourth attempt; once the claim's lease is over the sweeper fails the run with its
    # reason, and a person reviews the submission (pending, with the `submit` webhook)
    wait_until(lambda: run_of(stack.db, submission_id)[0] == "failed", timeout=300, what="the run to be failed",
               every=0.5)  # fmt: skip
    final = assert_whole(stack.db, stack.env, world.id, submissions=1, receiver=world.receiver)
    row = stack.db.rows("SELECT status, attempts, failure_reason FROM submissions_submission WHERE id = %s",
                        (submission_id,))[0]  # fmt: skip
    assert row == ("pending", 3, "the worker was lost during each of 3 attempts")
    assert final.failed == 1
    print(f"\npoison: {final}, failed {time.monotonic() - killed:.1f} s after the third kill")  # noqa: T201
