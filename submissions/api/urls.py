from __future__ import annotations

from django.urls import path

from submissions.api.create import SubmissionCreateApi
from submissions.api.views import SubmissionListApi


class SubmissionApi(SubmissionListApi, SubmissionCreateApi):
    """``/v3/submission`` serves two operations: GET lists (SubmissionListApi), POST creates."""


urlpatterns = [
    path("submission", SubmissionApi.as_view(), name="submission"),
]
