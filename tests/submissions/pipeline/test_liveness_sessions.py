"""Liveness on generated sessions: bona fide passes, print, screen and replay are refused, and a
selfie alone is never passed. Grace Hopper's photo ships with matplotlib, so nothing downloads."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from submissions.evaluation.liveness import load_session
from submissions.pipeline.liveness import Frame, check_liveness, new_challenge, verify_active
from tests.submissions.live_sessions import SEED, make_sessions


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sessions(tmp_path_factory.mktemp("liveness"), ("bona_fide", "print", "screen"))


def _check(outdir: Path, name: str):
    plan, frames, nonce, received = load_session(outdir / name)
    return check_liveness(None, frames, plan, now=received, nonce=nonce)


def _failed(result) -> list[str]:
    return [cue.code for cue in result.deciding]


def test_bona_fide_frames_pass(sessions):
    result = _check(sessions, "bona_fide_0000")

    assert (result.performed, result.decision, _failed(result)) == (True, "passed", [])
    assert 0.5 < result.score <= 1.0


def test_a_printed_photo_held_up_is_refused(sessions):
    result = _check(sessions, "print_0000")

    assert (result.performed, result.decision) == (True, "failed")
    # tilting paper neither nods nor turns a head (bringing it closer does "approach"), its
    # halftone dots and grey blacks show, its edges frame the face, and its landmarks move by
    # one homography
    assert _failed(result) == [
        "step1_nod",
        "step2_turn_left",
        "step3_turn_right",
        "pixel_grid_db",
        "black_level",
        "border_sides",
        "planar_residual",
    ]
    assert result.score < 0.5


def test_a_screen_replay_of_this_very_challenge_is_refused_by_the_passive_cues(sessions):
    result = _check(sessions, "screen_0000")

    assert result.decision == "failed"
    failed = set(_failed(result))
    assert failed & {"pixel_grid_db", "black_level", "border_sides", "white_cast", "glare_share"}
    assert not any(code.startswith("step") for code in failed)  # a perfect puppet behind glass


def test_frames_of_another_session_with_forged_times_and_nonce_fail_the_steps(sessions):
    # given: a recording of another session, its times moved onto this session's plan
    recorded, frames, _, received = load_session(sessions / "bona_fide_0000")
    plan = new_challenge(random.Random(SEED + 1), now=recorded.issued_at)
    forged = [Frame(frame.t_ms, frame.jpeg) for frame in frames]

    # when
    cues = verify_active(plan, forged, now=received, nonce=plan.nonce)

    # then
    assert [s.challenge for s in recorded.steps] != [s.challenge for s in plan.steps]
    failed = [cue.code for cue in cues if not cue.passed]
    assert failed
    assert all(code.startswith("step") or code == "unrequested_turn_deg" for code in failed)


def test_the_bona_fide_frames_replayed_against_a_later_plan_fail_on_timing_and_nonce(sessions):
    plan, frames, nonce, received = load_session(sessions / "bona_fide_0000")
    later = type(plan)("another-nonce", plan.steps, plan.issued_at + 3_600_000, plan.deadline + 3_600_000)

    result = check_liveness(None, frames, later, now=received + 3_600_000, nonce=nonce)

    assert result.decision == "failed"
    assert {"nonce", "capture_start_ms"} <= set(_failed(result))


def test_the_same_upload_gets_the_same_result_whatever_the_clock_or_load(sessions, monkeypatch):
    # given: the wall clock moved a day on (only the caller's now= may count)
    plan, frames, nonce, received = load_session(sessions / "screen_0000")
    first = check_liveness(None, frames, plan, now=received, nonce=nonce).as_json()
    later = time.time() + 86_400
    monkeypatch.setattr(time, "time", lambda: later)

    # when
    again = check_liveness(None, frames, plan, now=received, nonce=nonce).as_json()

    # then: everything but the measured duration is identical
    first.pop("timing_ms"), again.pop("timing_ms")
    assert again == first


def test_frames_against_a_plan_need_the_arrival_time_from_the_caller(sessions):
    plan, frames, nonce, _ = load_session(sessions / "bona_fide_0000")

    with pytest.raises(ValueError, match="now="):
        check_liveness(None, frames, plan, nonce=nonce)


def test_shuffled_timestamps_fail(sessions):
    plan, frames, nonce, received = load_session(sessions / "bona_fide_0000")
    swapped = [frames[1], frames[0], *frames[2:]]

    cues = {cue.code: cue for cue in verify_active(plan, swapped, now=received, nonce=nonce)}

    assert not cues["timestamps_monotonic"].passed


def test_a_lone_selfie_is_not_performed(sessions):
    first = sorted((sessions / "bona_fide_0000" / "frames").glob("*.jpg"))[0]

    result = check_liveness(first.read_bytes())

    assert (result.performed, result.decision, _failed(result)) == (False, "not_performed", [])
    assert result.score <= 0.5


def test_a_lone_selfie_of_a_screen_fails_on_passive_cues_alone(sessions):
    first = sorted((sessions / "screen_0000" / "frames").glob("*.jpg"))[0]

    result = check_liveness(first.read_bytes())

    assert (result.performed, result.decision) == (False, "failed")


def test_frames_without_a_plan_are_not_performed(sessions):
    plan, frames, _, _ = load_session(sessions / "bona_fide_0000")

    result = check_liveness(None, frames[:3], None)

    assert (result.performed, result.decision, result.cues) == (False, "not_performed", ())


def test_check_liveness_command_prints_json_for_a_session(sessions, capsys):
    call_command("check_liveness", str(sessions / "print_0000"), "--json")

    output = json.loads(capsys.readouterr().out)
    assert output["decision"] == "failed"
    assert output["performed"] is True
    assert set(output) == {"performed", "decision", "score", "cues", "deciding", "timing_ms"}


def test_frame_type_is_the_wire_format():
    frame = Frame(1_795_000_000_123, b"\xff\xd8")
    assert (frame.t_ms, frame.jpeg) == (1_795_000_000_123, b"\xff\xd8")
