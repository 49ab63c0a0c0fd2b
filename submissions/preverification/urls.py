"""Preverification pages, included under ``p/<pid>/preverification/`` (namespace ``dashboard``)."""

from __future__ import annotations

from django.urls import path

from submissions.preverification import views

urlpatterns = [
    path("vpn-proxy/", views.network_list_page, name="preverification_network"),
    path("vpn-proxy/<str:sid>/", views.network_detail_page, name="preverification_network_detail"),
    path("devices/", views.device_list_page, name="preverification_devices"),
    path("devices/<str:sid>/", views.device_detail_page, name="preverification_device_detail"),
]
