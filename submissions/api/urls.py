from __future__ import annotations

from django.urls import path

from submissions.api.views import SubmissionListApi

urlpatterns = [
    path("submission", SubmissionListApi.as_view(), name="submission"),
]
