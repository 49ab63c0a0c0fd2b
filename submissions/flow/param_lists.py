"""List-valued Liveform parameters (``allowedIdTypes``, ``allowedDocumentFields``,
``knowledgeField``…): the spec gives them no syntax, so each takes comma-separated text or, inside
``encrypted``, a JSON list of strings."""

from __future__ import annotations

from typing import Any

from submissions.flow.errors import FlowRefused


def parameter_names(value: Any, *, refusal: str) -> tuple[str, ...]:
    """The non-empty names of ``value``, stripped, each once in first-seen order; ``refusal``'s
    error page when it is neither text nor a list of text. Which names are valid is the caller's."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise FlowRefused(refusal)
    return tuple(dict.fromkeys(item.strip() for item in value if item.strip()))
