"""Liveness challenge plans: random per session, a head turn always, contiguous windows."""

from __future__ import annotations

import random

from submissions.pipeline.liveness import ChallengePlan, Frame, new_challenge, verify_active
from submissions.pipeline.liveness.active import LEAD_MS, START_WINDOW_MS, TURNS, UPLOAD_MS, plan_count
from submissions.pipeline.liveness.types import CHALLENGES

NOW = 1_795_000_000_000


def test_a_seeded_plan_is_reproducible_and_round_trips_through_json():
    # given
    plan = new_challenge(random.Random(3), now=NOW)

    # when
    again = ChallengePlan.from_json(plan.as_json())

    # then
    assert again == plan == new_challenge(random.Random(3), now=NOW)
    assert len(plan.nonce) == 24


def test_every_plan_has_four_steps_no_repeat_in_a_row_a_turn_one_approach_and_contiguous_windows():
    orders = set()
    for seed in range(2000):
        plan = new_challenge(random.Random(seed), now=NOW)
        challenges = [step.challenge for step in plan.steps]
        orders.add(tuple(challenges))
        assert len(challenges) == 4
        assert all(a != b for a, b in zip(challenges, challenges[1:], strict=False))
        assert set(challenges) <= set(CHALLENGES)
        assert any(challenge in TURNS for challenge in challenges)
        assert challenges.count("approach") <= 1
        assert plan.steps[0].start_ms == LEAD_MS
        assert all(a.end_ms == b.start_ms for a, b in zip(plan.steps, plan.steps[1:], strict=False))
        assert plan.deadline == NOW + START_WINDOW_MS + plan.steps[-1].end_ms + UPLOAD_MS
    assert len(orders) == plan_count()  # 2,000 draws reach every order: none is favoured away


def test_there_are_262_orders_and_the_system_random_plans_differ():
    assert plan_count() == 262
    nonces = {new_challenge(now=NOW).nonce for _ in range(20)}
    assert len(nonces) == 20


def test_no_frames_fail_every_step_and_the_frame_count():
    # given
    plan = new_challenge(random.Random(3), now=NOW)

    # when
    cues = verify_active(plan, [], now=NOW + 10_000)

    # then
    failed = [cue.code for cue in cues if not cue.passed]
    assert failed == ["frame_count", "one_face", *[f"step{k}_{s.challenge}" for k, s in enumerate(plan.steps, 1)]]


def test_undecodable_frames_count_as_frames_without_a_face():
    plan = new_challenge(random.Random(3), now=NOW)
    frames = [Frame(NOW + 1000 + 150 * k, b"not a jpeg") for k in range(20)]

    cues = {cue.code: cue for cue in verify_active(plan, frames, now=NOW + 9000)}

    assert cues["one_face"].value == 0.0
    assert not cues["one_face"].passed
    assert cues["timestamps_monotonic"].passed
