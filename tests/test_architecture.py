"""Code rules checked by reading the source (STYLE.md §3.2–3.3, G10, G18)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ["idcheck", "projects", "submissions", "policy", "webhooks", "network", "registry"]
# The decision itself is plain Python, so the back-test re-runs exactly what the worker ran.
PURE_POLICY = [
    "engine",
    "evidence",
    "score",
    "rules",
    "settings",
    "checks",
    "backtest",
    "codec",
    "id_types",
    "reject_codes",
]
PURE_MODULES = [ROOT / "submissions" / "pipeline", *(ROOT / "policy" / f"{name}.py" for name in PURE_POLICY)]
FRAMEWORKS = {"django", "rest_framework"}
ECB_ALLOWED = ROOT / "idcheck" / "lib" / "crypto.py"


def _source_files() -> list[Path]:
    return sorted(
        path for directory in SOURCE_DIRS for path in (ROOT / directory).rglob("*.py") if "migrations" not in path.parts
    )


def _pure_files() -> list[Path]:
    files: list[Path] = []
    for target in PURE_MODULES:
        if target.is_file():
            files.append(target)
        elif target.is_dir():
            files.extend(sorted(target.rglob("*.py")))
    return files


def _offenders(check: Callable[[str], list[Any]], files: list[Path] | None = None) -> dict[str, list[Any]]:
    """What ``check`` finds in each of ``files`` (the apps' source by default), by file."""
    return {
        str(path.relative_to(ROOT)): found
        for path in (_source_files() if files is None else files)
        if (found := check(path.read_text(encoding="utf-8")))
    }


def framework_imports(source: str) -> list[str]:
    """Every ``import django…`` / ``from rest_framework… import`` in ``source``, anywhere."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [name for name in names if name.split(".")[0] in FRAMEWORKS]
    return found


def all_fields_serializers(source: str) -> list[int]:
    """Line numbers of ``fields = "__all__"`` assignments."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value == "__all__":
            if any(isinstance(target, ast.Name) and target.id == "fields" for target in node.targets):
                lines.append(node.lineno)
    return lines


def test_the_checker_sees_framework_imports():
    source = (
        "import os\nimport django.db\nfrom rest_framework import serializers\ndef f():\n    from django import forms\n"
    )

    assert framework_imports(source) == ["django.db", "rest_framework", "django"]


def test_the_checker_ignores_relative_and_lookalike_imports():
    assert framework_imports("from . import django\nimport djangorestframework_like\nfrom .django import x\n") == []


def test_the_pipeline_and_the_policy_engine_import_no_web_framework():
    assert [target.name for target in PURE_MODULES if not target.exists()] == []  # a rename must not hide one
    # given
    files = _pure_files()

    # when
    offenders = _offenders(framework_imports, files)

    # then
    assert offenders == {}, "submissions/pipeline/ and the policy engine must stay plain Python (STYLE.md §3.3)"


def test_the_serializer_checker_sees_all_fields():
    source = 'class S:\n    class Meta:\n        model = M\n        fields = "__all__"\n'

    assert all_fields_serializers(source) == [4]


def test_no_serializer_or_form_exposes_all_fields():
    offenders = _offenders(all_fields_serializers)

    assert offenders == {}, 'list fields explicitly instead of fields = "__all__" (G10)'


def test_only_the_crypto_module_may_use_ecb():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _source_files()
        if path != ECB_ALLOWED and "modes.ECB" in path.read_text(encoding="utf-8")
    ]

    assert offenders == [], "AES-ECB is confined to idcheck/lib/crypto.py (G18)"


def test_the_rules_read_real_source():
    # guards against a path mistake that would make the rules above pass vacuously
    names = {str(path.relative_to(ROOT)) for path in _source_files()}

    assert {"idcheck/lib/crypto.py", "projects/services/audit.py", "submissions/api/views.py"} <= names


# DESIGN.md "Dependency direction": everyone builds on projects, webhooks knows no submissions,
# policy decides without knowing how a submission is stored. Lazy imports inside functions count.
FORBIDDEN_DEPENDENCIES = {
    "projects": {"submissions", "policy", "webhooks", "network", "registry"},
    "webhooks": {"submissions", "policy", "network", "registry"},
    "policy": {"submissions"},
}


def app_imports(source: str) -> set[str]:
    """The top-level packages ``source`` imports (absolute imports only), anywhere in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_dependency_checker_sees_lazy_imports():
    source = "import os\nfrom projects.models import Project\ndef f():\n    from webhooks.services import emit\n"

    assert app_imports(source) == {"os", "projects", "webhooks"}


def test_apps_depend_only_in_the_designed_direction():
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported)
        for app, forbidden in FORBIDDEN_DEPENDENCIES.items()
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        and (imported := app_imports(path.read_text(encoding="utf-8")) & forbidden)
    }

    assert offenders == {}, "see DESIGN.md, Dependency direction"


# STYLE.md: a leading underscore makes a name private to its module. A helper another module
# needs gets a public name where it belongs; importing it by its private name hides that it is shared.
def private_imports(source: str) -> list[str]:
    """Every ``from … import _name`` in ``source`` (relative ones and lazy ones included), as
    ``"line: from module import _name"``; dunders such as ``__version__`` are not private."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            found += [
                f"{node.lineno}: from {module} import {alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
    return sorted(found, key=lambda entry: int(entry.split(":")[0]))


def test_the_private_import_checker_sees_every_form():
    source = (
        "from a.b import c, _d\n"
        "from . import _e\n"
        "from ..f import (\n    g,\n    _h as h,\n)\n"
        "def i():\n    from j import _k\n"
        "from l import __version__, m as _m\n"
    )

    assert private_imports(source) == [
        "1: from a.b import _d",
        "2: from . import _e",
        "3: from ..f import _h",
        "8: from j import _k",
    ]


def test_no_module_imports_another_modules_private_names():
    offenders = _offenders(private_imports)

    assert offenders == {}, "give the shared helper a public name in the module it belongs to (STYLE.md)"
