from __future__ import annotations

from django.urls import path

from projects.api.views import ProjectionApi, ProjectionItemApi

urlpatterns = [
    path("projection", ProjectionApi.as_view(), name="projection"),
    path("projection/<str:projection_id>", ProjectionItemApi.as_view(), name="projection-item"),
]
