"""Every action the code records has words on the Event Log page (``projects.audit_words``): an
action added without them would show by its raw name and be missing from the action filter."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from projects.audit_words import ACTION_WORDS

APPS = ("idcheck", "projects", "submissions", "policy", "webhooks", "network", "registry")
RECORDED = re.compile(r'action="([a-z_]+\.[a-z_.]+)"')
# An action kept in a module constant first: NAME = "media.orphan_files_deleted", then action=NAME
BY_NAME = re.compile(r"action=([A-Z][A-Z0-9_]*)\b")


def _recorded_actions() -> set[str]:
    root = Path(settings.BASE_DIR)
    found = set()
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            text = path.read_text()
            found.update(RECORDED.findall(text))
            for name in BY_NAME.findall(text):
                found.update(re.findall(rf'^{name} = "([a-z_]+\.[a-z_.]+)"', text, re.MULTILINE))
    return found


def test_every_recorded_action_has_words():
    recorded = _recorded_actions()

    assert len(recorded) >= 40  # the scan finds the actions (a broken pattern would find none)
    assert sorted(recorded - set(ACTION_WORDS)) == []
