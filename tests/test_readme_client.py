"""The README's Python client (docs/examples/idcheck_client.py) works against a running server:
it submits the specimen passport and its selfie, waits for the decision and finds the person."""

from __future__ import annotations

import importlib.util
import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from django.conf import settings

from projects.actors import Actor
from projects.services import api_key_issue
from submissions.models import Submission
from tests.factories import ProjectFactory
from tests.submissions.api.helpers import passport_case
from tests.submissions.test_process_celery import pipeline_worker  # noqa: F401 (a fixture)

EXAMPLE = Path(settings.BASE_DIR) / "docs" / "examples" / "idcheck_client.py"


def _example():
    spec = importlib.util.spec_from_file_location("idcheck_client", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_readme_client_submits_waits_and_finds_the_person(live_server, pipeline_worker, settings, tmp_path):  # noqa: F811
    # given: a project with a key, the server and a real pipeline worker running
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    project = ProjectFactory(credits=5)
    key = api_key_issue(project=project, actor=Actor.system("test")).plaintext
    case = passport_case()
    (tmp_path / "passport.jpg").write_bytes(case.front)
    (tmp_path / "selfie.jpg").write_bytes(case.selfie)
    out = io.StringIO()

    # when
    with redirect_stdout(out):
        code = _example().main(["client", live_server.url, key, str(tmp_path / "passport.jpg"),
                                str(tmp_path / "selfie.jpg")])  # fmt: skip

    # then
    submission = Submission.objects.get(project=project)
    lines = out.getvalue().splitlines()
    assert code == 0
    assert lines[0] == f"submitted {submission.id}"
    assert lines[1] == f"decision: approved (ARGOS score {submission.argos_score}), reasons: -"
    assert lines[2].endswith(" has 1 submission(s)")


def test_a_refused_call_raises_with_the_answer(live_server, settings):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    example = _example()
    client = example.IdCheck(live_server.url, "wrong-key")

    with pytest.raises(example.IdCheckError) as refused:
        client.by_userid("anyone")

    assert (refused.value.status, refused.value.body) == (403, {"message": "Forbidden"})
