from __future__ import annotations

from django.urls import path

from submissions.api.aml import AmlReportApi, SubmissionAmlApi
from submissions.api.aml_monitor import AmlMonitorApi, AmlMonitorMissingWorklistApi, AmlMonitorRecordApi
from submissions.api.applicant import ApplicantSubmissionsApi
from submissions.api.create import SubmissionCreateApi
from submissions.api.delete import SubmissionDeleteApi, SubmissionPartialDeleteApi
from submissions.api.images import ImageApi, SubmissionImageApi
from submissions.api.migration import SubmissionMigrationApi
from submissions.api.patch import SubmissionPatchApi
from submissions.api.review import SubmissionReviewApi
from submissions.api.tokens import TokensApi
from submissions.api.views import SubmissionListApi


class SubmissionApi(SubmissionListApi, SubmissionCreateApi, SubmissionDeleteApi, SubmissionPatchApi):
    """``/v3/submission`` serves four operations: GET lists (SubmissionListApi), POST creates,
    DELETE deletes (SubmissionDeleteApi), PATCH changes (SubmissionPatchApi)."""


urlpatterns = [
    path("submission", SubmissionApi.as_view(), name="submission"),
    path("submission/applicant", ApplicantSubmissionsApi.as_view(), name="submission-applicant"),
    path("submission/review", SubmissionReviewApi.as_view(), name="submission-review"),
    path("submission/partial", SubmissionPartialDeleteApi.as_view(), name="submission-partial"),
    path("submission/tokens", TokensApi.as_view(), name="submission-tokens"),
    path("submission/migration", SubmissionMigrationApi.as_view(), name="submission-migration"),
    path("submission/image", SubmissionImageApi.as_view(), name="submission-image"),
    path("image", ImageApi.as_view(), name="image"),
    path("submission/aml", SubmissionAmlApi.as_view(), name="submission-aml"),
    path("report/aml", AmlReportApi.as_view(), name="report-aml"),
    path("submission/aml/monitor", AmlMonitorMissingWorklistApi.as_view(), name="aml-monitor-no-worklist"),
    path("submission/aml/monitor/<str:worklistId>", AmlMonitorApi.as_view(), name="aml-monitor"),
    path(
        "submission/aml/monitor/<str:worklistId>/<str:recordId>",
        AmlMonitorRecordApi.as_view(),
        name="aml-monitor-record",
    ),  # fmt: skip
]
