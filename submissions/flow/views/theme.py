"""The flow's colours (``mainColor``, ``innerColor``, spec §6.2) as a small stylesheet: the CSP
allows styles from this site only, never inline, so the colours travel as CSS custom properties
that ``liveform.css`` reads. Text on a custom main colour is black or white, whichever contrasts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from submissions.flow.errors import FlowRefused
from submissions.flow.state import flow_load


@never_cache
@require_GET
def theme(request: HttpRequest) -> HttpResponse:
    try:
        params = flow_load(request.session).params
    except FlowRefused:
        return HttpResponse("", content_type="text/css")
    rules = []
    if params.main_color:
        rules += [f"--lf-main: {params.main_color};", f"--lf-on-main: {_text_on(params.main_color)};"]
    if params.inner_color:
        rules.append(f"--lf-inner: {params.inner_color};")
    css = ":root { " + " ".join(rules) + " }\n" if rules else ""
    return HttpResponse(css, content_type="text/css")


def _text_on(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (WCAG relative luminance)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#fff"
