"""Dashboard pages of the webhooks app, included under ``p/<pid>/webhooks/`` (namespace ``dashboard``)."""

from __future__ import annotations

from django.urls import path

from webhooks import views

urlpatterns = [
    path("", views.webhooks_page, name="webhooks"),
    path("secret/", views.webhook_secret_page, name="webhook_secret"),
    path("test/", views.webhook_test_page, name="webhook_test"),
    path("recipients/", views.webhook_recipient_add_page, name="webhook_recipient_add"),
    path("recipients/<int:recipient_id>/remove/", views.webhook_recipient_remove_page, name="webhook_recipient_remove"),
    path("deliveries/replay/", views.webhook_replay_range_page, name="webhook_replay_range"),
    path("deliveries/<str:webhook_id>/replay/", views.webhook_replay_page, name="webhook_replay"),
]
