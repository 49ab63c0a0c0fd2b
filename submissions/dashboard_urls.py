"""User Submissions pages, included under ``p/<pid>/submissions/`` (namespace ``dashboard``)."""

from __future__ import annotations

from django.urls import path

from submissions.views import analytics, detail, images, queue, review
from submissions.views import list as list_views

urlpatterns = [
    path("", list_views.submission_list_page, name="submissions"),
    path("queue/", queue.review_queue_page, name="review_queue"),
    path("analytics/", analytics.analytics_page, name="analytics"),
    path("<str:sid>/", detail.submission_detail_page, name="submission_detail"),
    path("<str:sid>/images/<str:kind>/", images.submission_image, name="submission_image"),
    path("<str:sid>/approve/", review.submission_approve, name="submission_approve"),
    path("<str:sid>/reject/", review.submission_reject, name="submission_reject"),
]
