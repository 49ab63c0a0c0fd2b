"""What other apps plug into webhook delivery, without ``webhooks`` importing them (STYLE §3.2).

An app registers a *payload filler* from its ``AppConfig.ready``: at an event's first delivery
attempt each filler may add the spec's personal fields to the thin outbox payload (e-mail,
userid, cf1–cf3, names…) from data only that app can open. Fillers return a new dict and must
leave the payload unchanged for events that are not theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projects.models import Project

PayloadFiller = Callable[[Project, str, str, dict[str, Any]], dict[str, Any]]

_FILLERS: dict[str, PayloadFiller] = {}


def register_payload_filler(name: str, filler: PayloadFiller) -> None:
    """Registering the same name again replaces it (``ready`` may run twice in tests)."""
    _FILLERS[name] = filler


def payload_fill(*, project: Project, event: str, resource_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    for filler in _FILLERS.values():
        payload = filler(project, event, resource_id, payload)
    return payload
