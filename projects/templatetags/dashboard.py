"""Small display helpers for dashboard templates."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def event_details(details: dict[str, Any]) -> str:
    """An Event Log entry's details in one line: ``{"changed": ["a", "b"], "delta": 5}`` →
    ``changed: a, b · delta: 5``; a settings change's ``before`` / ``after`` pair reads
    ``key: old → new`` per changed key (its ``changed`` list then says nothing more)."""
    rest = dict(details or {})
    before, after = rest.pop("before", None), rest.pop("after", None)
    parts = []
    if isinstance(before, dict) and isinstance(after, dict):
        rest.pop("changed", None)
        parts = [f"{key}: {_shown(before.get(key))} → {_shown(value)}" for key, value in after.items()]
    elif before is not None or after is not None:
        rest.update({"before": before, "after": after})
    parts += [f"{key}: {_shown(value)}" for key, value in rest.items()]
    return " · ".join(parts)


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if value == "" or value == [] or value == {}:
        return "(empty)"
    if isinstance(value, list | tuple):
        return ", ".join(_shown(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}={_shown(item)}" for key, item in value.items())
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
