"""Dashboard pages of the policy app, included under ``p/<pid>/settings/policy/`` (namespace ``dashboard``)."""

from __future__ import annotations

from django.urls import path

from policy import views

urlpatterns = [
    path("", views.policy_page, name="policy"),
    path("rules/publish/", views.policy_rules_publish_page, name="policy_rules_publish"),
    path("id-types/", views.id_types_page, name="id_types"),
    path("id-types/download/", views.id_types_download, name="id_types_download"),
]
