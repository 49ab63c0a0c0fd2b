"""Dashboard pages of the policy app, included under ``p/<pid>/settings/policy/`` (namespace ``dashboard``)."""

from __future__ import annotations

from django.urls import path

from policy import views

urlpatterns = [
    path("", views.policy_page, name="policy"),
    path("rules/publish/", views.policy_rules_publish_page, name="policy_rules_publish"),
]
