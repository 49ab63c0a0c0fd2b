from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from tests.submissions.pipeline.face_photos import fetch_face_photos


@pytest.fixture(scope="session")
def face_photos() -> Path:
    return fetch_face_photos()


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_compare_faces_prints_the_match_as_json(face_photos):
    output = json.loads(
        _run("compare_faces", str(face_photos / "obama.jpg"), str(face_photos / "obama3.jpg"), "--json")
    )

    assert set(output) == {"similarity", "match", "threshold", "faces", "timing_ms"}
    assert output["match"] is True
    assert output["similarity"] == pytest.approx(78.1, abs=0.5)
    assert output["threshold"] == 39.4
    assert len(output["faces"]) == 2
    assert set(output["faces"][0]) == {"box", "landmarks", "score", "size", "eye_distance"}


def test_compare_faces_prints_a_refusal_as_a_json_error(face_photos, tmp_path, capsys):
    blank = tmp_path / "wall.png"
    Image.new("RGB", (400, 400), (200, 190, 180)).save(blank)
    out = io.StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("compare_faces", str(face_photos / "obama.jpg"), str(blank), "--json", stdout=out)

    assert exited.value.code == 1
    assert json.loads(out.getvalue()) == {
        "error": {"code": "no_face", "message": "No face was found in the photo.", "image": "b"}
    }


def test_compare_faces_without_json_raises_a_command_error_with_the_code(face_photos):
    with pytest.raises(CommandError, match="a face_cut_off"):
        _run("compare_faces", str(face_photos / "obama_partial_face.jpg"), str(face_photos / "obama.jpg"))


def test_evaluate_faces_reports_the_pairs_the_refusals_and_writes_the_plots(face_photos, tmp_path):
    # given two identities: three photos of Obama (one cut off) and Biden
    for person, names in {
        "obama": ("obama.jpg", "obama2.jpg", "obama_partial_face.jpg"),
        "biden": ("biden.jpg",),
    }.items():
        (tmp_path / "set" / person).mkdir(parents=True)
        for name in names:
            shutil.copy(face_photos / name, tmp_path / "set" / person / f"photo_{name}")

    # when
    output = _run("evaluate_faces", str(tmp_path / "set"), "--plots", str(tmp_path / "plots"))

    # then: 1 genuine pair scored, 2 lost to the refusal, 2 impostor pairs
    assert "images 4 (3 accepted) in 2 identities" in output
    assert "genuine pairs       1" in output
    assert "impostor pairs      2" in output
    assert "genuine pairs lost to refusals: 2" in output
    assert "refusals: face_cut_off 1" in output
    assert "obama/photo_obama_partial_face.jpg: face_cut_off" in output
    assert sorted(path.name for path in (tmp_path / "plots").iterdir()) == ["face_det.png", "face_scores.png"]
