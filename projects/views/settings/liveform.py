"""Liveform Customization (spec §6.8, §7): the result page's picture and texts per status and
language, with a phone-sized preview that follows the form as it is typed in."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from projects.access import otp_required, project_membership
from projects.actors import Actor
from projects.forms import ResultPageForm
from projects.models import Membership, ResultPageText
from projects.services import InvalidResultPage, result_page_text_get, result_page_text_set
from projects.services.result_pages import DEFAULT_LANGUAGE, LIVEFORM_LANGUAGES, PICTURE_MAX_BYTES, RESULT_STATUSES

# What the Liveform shows when nothing is set (templates/liveform/result.html), for the preview.
BUILT_IN = {
    "approved": ("You are verified", "Thank you. Your identity has been verified."),
    "rejected": ("We could not verify you", "Your verification was not accepted."),
    "pending": (
        "We are checking your documents",
        "Thank you. A reviewer will look at your verification; you will hear from us by email.",
    ),
}


def _chosen(request: HttpRequest) -> tuple[str, str]:
    """The status and language in the query string; an unknown one falls back to the first."""
    status = request.GET.get("status", "")
    language = request.GET.get("language", "")
    return (
        status if status in RESULT_STATUSES else RESULT_STATUSES[0],
        language if language in dict(LIVEFORM_LANGUAGES) else DEFAULT_LANGUAGE,
    )


def _page_url(pid: str, status: str, language: str) -> str:
    query = urlencode({"status": status, "language": language})
    return f"{reverse('dashboard:settings_liveform', kwargs={'pid': pid})}?{query}"


@otp_required
def page(request: HttpRequest, pid: str) -> HttpResponse:
    membership = project_membership(request, pid)
    status, language = _chosen(request)
    row = result_page_text_get(project=membership.project, status=status, language=language, fallback=False)
    if request.method != "POST":
        initial = {"main_text": row.main_text, "sub_text": row.sub_text} if row else {}
        return _render(request, membership, status, language, ResultPageForm(initial=initial), row)
    membership = project_membership(request, pid, need="manage")
    form = ResultPageForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["picture"]
        try:
            changed = result_page_text_set(
                project=membership.project,
                status=status,
                language=language,
                main_text=form.cleaned_data["main_text"],
                sub_text=form.cleaned_data["sub_text"],
                picture=upload.read(PICTURE_MAX_BYTES + 1) if upload else None,  # enough to tell it is too large
                remove_picture=form.cleaned_data["remove_picture"],
                actor=Actor.from_request(request),
            )
        except InvalidResultPage as exc:
            for key, message in exc.errors.items():
                form.add_error(key if key in form.fields else "picture" if key == "image" else None, message)
        else:
            messages.success(request, "Saved." if changed else "Nothing changed.")
            return redirect(_page_url(pid, status, language))
    return _render(request, membership, status, language, form, row, status_code=400)


def _render(request: HttpRequest, membership: Membership, status: str, language: str, form: ResultPageForm,
            row: ResultPageText | None, *, status_code: int = 200) -> HttpResponse:  # fmt: skip
    pid = membership.project.pid
    picture = ""
    if row is not None and row.image:
        picture = f"data:{row.image_content_type};base64,{base64.b64encode(bytes(row.image)).decode()}"
    choices = [
        (label, code, [(s, s.capitalize(), _page_url(pid, s, code)) for s in RESULT_STATUSES])
        for code, label in LIVEFORM_LANGUAGES
    ]
    built_in_main, built_in_sub = BUILT_IN[status]
    context = {
        "membership": membership,
        "project": membership.project,
        "area": {"title": "Liveform Customization"},
        "form": form,
        "status": status,
        "language": language,
        "choices": choices,
        "current_url": _page_url(pid, status, language),
        "preview_main": (row.main_text if row else "") or built_in_main,
        "preview_sub": (row.sub_text if row else "") or built_in_sub,
        "built_in_main": built_in_main,
        "built_in_sub": built_in_sub,
        "picture": picture,
        "customised": row is not None,
    }
    return render(request, "dashboard/settings/liveform.html", context, status=status_code)
