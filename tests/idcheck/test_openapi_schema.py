"""The committed OpenAPI file is what the code generates (regenerate with ``make schema``)."""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

COMMITTED = Path(settings.BASE_DIR) / "idcheck" / "openapi-v3.yaml"


def _generated() -> str:
    schema = SchemaGenerator(api_version="v3").get_schema(request=None, public=True)
    return OpenApiYamlRenderer().render(schema, renderer_context={}).decode("utf-8")


def test_the_committed_schema_matches_the_code():
    # given
    assert COMMITTED.exists(), f"{COMMITTED} is missing: run `make schema` and commit the file"
    committed = COMMITTED.read_text(encoding="utf-8")

    # when
    generated = _generated()

    # then
    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            generated.splitlines(keepends=True),
            fromfile="idcheck/openapi-v3.yaml (committed)",
            tofile="generated from the code",
            n=2,
        )
    )
    assert not diff, f"The OpenAPI schema is out of date: run `make schema` and commit the result.\n{diff}"


def test_the_schema_declares_the_api_key_header():
    # when
    schema = yaml.safe_load(_generated())

    # then
    assert schema["components"]["securitySchemes"] == {
        "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "x-api-key"}
    }
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            assert operation["security"] == [{"ApiKeyAuth": []}]


def test_every_operation_lives_under_v3():
    schema = yaml.safe_load(_generated())

    assert schema["paths"]
    assert all(path.startswith("/v3/") for path in schema["paths"])


def test_every_operation_documents_the_gateway_errors():
    schema = yaml.safe_load(_generated())
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"200", "400", "403", "429", "503"} <= set(operation["responses"]), f"{method} {path}"
