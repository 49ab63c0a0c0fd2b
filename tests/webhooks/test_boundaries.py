"""``webhooks`` knows event names and payload dicts, never submissions (STYLE.md §3.2)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_the_webhooks_app_never_imports_submissions():
    # given
    files = sorted(path for path in (ROOT / "webhooks").rglob("*.py") if "migrations" not in path.parts)

    # when
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imported_modules(path) if name.split(".")[0] == "submissions"
        )
        for path in files
    }

    # then
    assert len(files) >= 8
    assert {path: names for path, names in offenders.items() if names} == {}
