"""A drf-spectacular postprocessing hook for what the serializers cannot say about
``GET /v3/submission``: with ``request_type`` each item is one slice of itself (spec §2.1;
``serializers.item_slice``), which keeps ``submission_id`` and only the slice's fields."""

from __future__ import annotations

from typing import Any

ITEM, SLICE = "SubmissionItem", "SubmissionItemSlice"


def submission_item_slices(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.get("components", {}).get("schemas", {})
    if ITEM not in schemas or "SubmissionListOutput" not in schemas:
        return result
    schemas[SLICE] = {
        **schemas[ITEM],
        "description": "One element of ``Items`` with ``request_type``: ``submission_id`` and the slice's fields "
        "(kyc, data, others or aml) of a full item.",
        "required": ["submission_id"],
    }
    items = schemas["SubmissionListOutput"]["properties"]["Items"]
    items["items"] = {"anyOf": [{"$ref": f"#/components/schemas/{ITEM}"}, {"$ref": f"#/components/schemas/{SLICE}"}]}
    return result
