"""The flow's colours (``mainColor``, ``innerColor``, spec §6.2) as a small stylesheet: the CSP
allows styles from this site only, never inline, so the colours travel as CSS custom properties
that ``liveform.css`` reads. Text on a custom main colour is black or white, whichever contrasts;
where the main colour is itself the text or an outline on the light page (links, outlined buttons,
focus rings), ``--lf-main-ink`` is that colour darkened just enough to read (WCAG AA, 4.5:1)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from submissions.flow.errors import FlowRefused
from submissions.flow.state import flow_load

DEFAULT_INNER = "#f4f5f7"  # liveform.css's page background when the link sets no innerColor
INK_CONTRAST = 4.5  # WCAG 2.1 AA for normal text (1.4.3); above the 3:1 outlines need (1.4.11)


@never_cache
@require_GET
def theme(request: HttpRequest) -> HttpResponse:
    try:
        params = flow_load(request.session).params
    except FlowRefused:
        return HttpResponse("", content_type="text/css")
    rules = []
    if params.main_color:
        inner = params.inner_color or DEFAULT_INNER
        # A dark innerColor is left out: no darker ink can read on it (nor can the page's own text).
        light = ["#ffffff", *([inner] if _text_on(inner) == "#000" else [])]
        ink = _ink(params.main_color, backgrounds=light)
        rules += [f"--lf-main: {params.main_color};", f"--lf-on-main: {_text_on(params.main_color)};",
                  f"--lf-main-ink: {ink};"]  # fmt: skip
    if params.inner_color:
        rules.append(f"--lf-inner: {params.inner_color};")
    css = ":root { " + " ".join(rules) + " }\n" if rules else ""
    return HttpResponse(css, content_type="text/css")


def _text_on(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (WCAG relative luminance)."""
    luminance = _luminance(colour)
    return "#000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#fff"


def _ink(colour: str, *, backgrounds: list[str]) -> str:
    """``colour`` as it is when it reads at 4.5:1 on every (light) background, else mixed with
    black in steps of 5 % until it does: the brand's hue, dark enough for text."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    for step in range(0, 101, 5):
        mixed = "#" + "".join(f"{round(c * (100 - step) / 100):02x}" for c in channels)
        if all(_contrast(mixed, background) >= INK_CONTRAST for background in backgrounds):
            return mixed
    return "#000000"  # unreachable for light backgrounds: black reads on them


def _contrast(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
