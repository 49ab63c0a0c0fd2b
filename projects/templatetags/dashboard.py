"""Small display helpers for dashboard templates."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def event_details(details: dict[str, Any]) -> str:
    """``{"changed": ["a", "b"], "delta": 5}`` → ``changed: a, b · delta: 5``."""
    parts = []
    for key, value in (details or {}).items():
        shown = ", ".join(str(item) for item in value) if isinstance(value, list | tuple) else str(value)
        parts.append(f"{key}: {shown}")
    return " · ".join(parts)
