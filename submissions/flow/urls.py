"""The Liveform's URLs, mounted at /form/ (spec §6.1)."""

from __future__ import annotations

from django.urls import path, re_path

from submissions.flow.views import (
    camera,
    capture,
    details,
    entry,
    errors,
    handoff,
    inapp,
    injection,
    knowledge,
    live,
    outcome,
    phone,
    theme,
)
from submissions.flow.views.review import questions, review

app_name = "liveform"

urlpatterns = [
    path("", entry.start, name="start"),
    path("consent", entry.consent, name="consent"),
    path("email", details.email, name="email"),
    path("phone-number", phone.phone_number, name="phone-number"),
    path("details", knowledge.details, name="details"),
    path("country", details.country, name="country"),
    path("id-type", details.id_type, name="id-type"),
    path("front", capture.front, name="front"),
    path("back", capture.back, name="back"),
    path("front/camera-error", camera.front_camera_error, name="front-camera-error"),
    path("back/camera-error", camera.back_camera_error, name="back-camera-error"),
    path("review", review, name="review"),
    path("questions", questions, name="questions"),
    path("address", capture.address, name="address"),
    path("selfie", capture.selfie, name="selfie"),
    path("selfie/plan", live.plan, name="live-plan"),
    path("selfie/live", live.upload, name="live-upload"),
    path("selfie/camera-error", camera.selfie_camera_error, name="camera-error"),
    path("handoff/<str:token>", handoff.claim, name="handoff"),
    path("phone", handoff.phone, name="phone"),
    path("phone/status", handoff.phone_status, name="phone-status"),
    path("open-in-browser", inapp.open_in_browser, name="open-in-browser"),
    path("processing", outcome.processing, name="processing"),
    path("status", outcome.status, name="status"),
    path("theme.css", theme.theme, name="theme"),
    path("result", outcome.result, name="result"),
    path("result/picture", outcome.result_picture, name="result-picture"),
    path("return", outcome.return_to, name="return"),
    path("injection/address", injection.address, name="injection-address"),
    path("injection/result", injection.result, name="injection-result"),
    path("injection/retry", injection.retry, name="injection-retry"),
    path("error-page/<str:page>", errors.error_page, name="error-page"),
    path("error-page/<str:page>/return", errors.error_return, name="error-return"),
    re_path(r"^(?P<path>.+)$", errors.unknown_path),
]
