"""The AML code's import rules (DESIGN.md): the matcher, the file formats and the report are
plain Python, and the policy app never imports submissions (submissions calls policy)."""

from __future__ import annotations

import ast

from tests.test_architecture import ROOT, framework_imports

PURE = ["matching.py", "formats.py", "countries.py", "report.py"]


def test_the_matcher_the_formats_and_the_report_import_no_web_framework():
    offenders = {
        name: framework_imports((ROOT / "policy" / "aml" / name).read_text()) for name in PURE
    }  # fails if missing

    assert {name: found for name, found in offenders.items() if found} == {}


def test_no_policy_module_imports_submissions():
    offenders = []
    for path in sorted((ROOT / "policy").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])  # fmt: skip
            offenders += [
                f"{path.relative_to(ROOT)}: {name}" for name in modules if name.split(".")[0] == "submissions"
            ]

    assert offenders == []
