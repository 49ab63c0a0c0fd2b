"""User Submissions pages, included under ``p/<pid>/submissions/`` (namespace ``dashboard``)."""

from __future__ import annotations

from django.urls import path

from submissions.views import actions, aml_monitoring, analytics, detail, export, images, queue, review
from submissions.views import list as list_views

urlpatterns = [
    path("", list_views.submission_list_page, name="submissions"),
    path("queue/", queue.review_queue_page, name="review_queue"),
    path("analytics/", analytics.analytics_page, name="analytics"),
    path("export/", export.submission_export, name="submissions_export"),
    path("aml-monitoring/", aml_monitoring.aml_monitoring_page, name="aml_monitoring"),
    path("aml-monitoring/<int:match_id>/", aml_monitoring.aml_monitoring_resolve, name="aml_monitoring_resolve"),
    path("<str:sid>/", detail.submission_detail_page, name="submission_detail"),
    path("<str:sid>/images/<str:kind>/", images.submission_image, name="submission_image"),
    path("<str:sid>/approve/", review.submission_approve, name="submission_approve"),
    path("<str:sid>/reject/", review.submission_reject, name="submission_reject"),
    path("<str:sid>/edit/", actions.submission_edit, name="submission_edit"),
    path("<str:sid>/status/", actions.submission_status_change, name="submission_status_change"),
    path("<str:sid>/memo/", actions.submission_memo, name="submission_memo"),
    path("<str:sid>/delete/", actions.submission_delete_page, name="submission_delete"),
    path(
        "<str:sid>/webhooks/<int:event_id>/resend/",
        actions.submission_webhook_resend,
        name="submission_webhook_resend",
    ),
]
