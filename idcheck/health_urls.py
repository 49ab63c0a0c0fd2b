from __future__ import annotations

from django.urls import path

from idcheck.views import health

urlpatterns = [path("", health, name="health")]
