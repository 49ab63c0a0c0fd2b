"""drf-spectacular extensions: how our authentication, the bodies of DELETE operations and
Secure Data Transfer's envelope appear in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from idcheck.secure_transfer import DECRYPTION_FAILED

JSON = "application/json"
TEXT = "text/plain"  # where a view takes JSON as text/plain, the envelope may come that way too
ENVELOPE = "SecureTransferEnvelope"
REQUEST_ENVELOPE = "SecureTransferRequestEnvelope"
DECRYPTION_FAILED_SCHEMA = "SecureTransferDecryptionFailed"


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "idcheck.api_auth.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": "x-api-key"}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular writes no request body for DELETE, but three of ours take one (tokens,
    AML monitoring records, the partial delete's ``fields``): a DELETE whose view declares one with
    ``extend_schema(request=…)`` gets it, so clients and Schemathesis see and send it."""

    def _get_serializer(self) -> Any:
        if self.method == "DELETE":
            return None  # no guess from the view: a DELETE has a body only where it declares one
        return super()._get_serializer()

    def _get_request_body(self, direction: str = "request") -> dict[str, Any] | None:
        if self.method != "DELETE" or self.get_request_serializer() is None:
            return super()._get_request_body(direction)
        # The parent describes bodies only for PUT, PATCH and POST; it reads the method for nothing
        # else but PATCH's partial serializers, so a DELETE is described as a PUT would be.
        self.method = "PUT"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


def _components() -> dict[str, dict[str, Any]]:
    ciphertext = {
        "type": "string",
        "minLength": 1,
        "description": "base64 of the encrypted JSON, under SHA-256 of the project's encryption key (the API key "
        "or the secretKey). `gcm`: 12-byte nonce | ciphertext | 16-byte tag; `cbc` (the original's modes): "
        "requests AES-256-ECB with PKCS#7, answers 16-byte IV | AES-256-CBC ciphertext.",
    }
    return {
        ENVELOPE: {
            "type": "object",
            "description": "An answer of a project with Secure Data Transfer on: the JSON it would otherwise get, "
            "encrypted (docs/secure-data-transfer.md). The status code and headers are unchanged.",
            "properties": {"data": ciphertext},
            "required": ["data"],
            "additionalProperties": False,
        },
        REQUEST_ENVELOPE: {
            "type": "object",
            "description": "The JSON body of a project with Secure Data Transfer on, encrypted; sent as "
            "application/json or text/plain. With the switch on every JSON body must come this way.",
            "properties": {"data": ciphertext, "isEncrypted": {"type": "boolean", "enum": [True]}},
            "required": ["data"],
            "additionalProperties": False,
        },
        DECRYPTION_FAILED_SCHEMA: {
            "type": "object",
            "description": "Sent in the clear by every operation, whatever made the body fail to decrypt.",
            "properties": {"errorCode": {"type": "string", "enum": [DECRYPTION_FAILED]}},
            "required": ["errorCode"],
            "additionalProperties": False,
        },
    }


def _either(media: dict[str, Any], *alternatives: str) -> None:
    refs = [{"$ref": f"#/components/schemas/{name}"} for name in alternatives]
    media["schema"] = {"anyOf": [media["schema"], *refs]}


def secure_transfer_envelope(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Postprocessing hook: every JSON request body may be the request envelope, every JSON
    answer the envelope, and an operation taking a JSON body may answer the failed decryption."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(_components())
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            request_content = operation.get("requestBody", {}).get("content", {})
            request_json = request_content.get(JSON)
            for media_type in (JSON, TEXT):
                if media_type in request_content:
                    _either(request_content[media_type], REQUEST_ENVELOPE)
            for status, answer in operation.get("responses", {}).items():
                answer_json = answer.get("content", {}).get(JSON)
                if answer_json is None:
                    continue
                if status == "400" and request_json is not None:
                    _either(answer_json, ENVELOPE, DECRYPTION_FAILED_SCHEMA)
                else:
                    _either(answer_json, ENVELOPE)
    return result


# OpenAPI links from the operations that create something to those that read, change or delete
# it, so a client (and Schemathesis' stateful phase) can follow them:
# producer operationId -> link name -> (target operationId, parameters, requestBody).
_SUBMISSION_ID = "$response.body#/submissionId"
_SUBMISSION_LINKS: dict[str, tuple[str, dict[str, str], Any]] = {
    "ReadSubmission": ("submission_list", {"submission_id": _SUBMISSION_ID}, None),
    "PatchSubmission": ("submission_patch", {}, {"submissionId": _SUBMISSION_ID}),
    "DeleteSubmission": ("submission_delete", {"submission_id": _SUBMISSION_ID}, None),
    "DeleteSubmissionParts": ("submission_delete_partial", {"submission_id": _SUBMISSION_ID}, None),
}
LINKS: dict[str, dict[str, tuple[str, dict[str, str], Any]]] = {
    "submission_create": _SUBMISSION_LINKS,
    "submission_migrate": _SUBMISSION_LINKS,
    "projection_create": {
        "ReadProjection": ("projection_get", {"projection_id": "$response.body#/projection_id"}, None),
        "DeleteProjection": ("projection_delete", {"projection_id": "$response.body#/projection_id"}, None),
    },
    "tokens_register": {
        "ReadToken": ("tokens_get", {"tokenId": "$request.body#/tokenId/0"}, None),
        "DeleteTokens": ("tokens_delete", {}, {"tokenId": "$request.body#/tokenId"}),
    },
}


def resource_links(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Postprocessing hook: the :data:`LINKS` on each producer's 200 answer."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            links = LINKS.get(operation.get("operationId", ""))
            if not links or "200" not in operation.get("responses", {}):
                continue
            described = {}
            for name, (target, parameters, body) in links.items():
                link: dict[str, Any] = {"operationId": target}
                if parameters:
                    link["parameters"] = parameters
                if body is not None:
                    link["requestBody"] = body
                described[name] = link
            operation["responses"]["200"]["links"] = described
    return result


def closed_answers(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """G10: every object an answer is made of declares all its properties, so Schemathesis'
    response conformance check fails on any field the schema does not name (over-exposure).
    Only answers are closed: request bodies keep their documented handling of unknown keys."""
    schemas = result.get("components", {}).get("schemas", {})
    answered: set[str] = set()
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for answer in operation.get("responses", {}).values():
                for media in answer.get("content", {}).values():
                    _collect_refs(media.get("schema", {}), schemas, answered)
    for name in answered:
        if schemas[name].get("type") == "object" and "properties" in schemas[name]:
            schemas[name].setdefault("additionalProperties", False)
    return result


def _collect_refs(schema: Any, schemas: dict[str, Any], seen: set[str]) -> None:
    """The names of the components ``schema`` refers to, directly or through theirs."""
    if isinstance(schema, list):
        for item in schema:
            _collect_refs(item, schemas, seen)
        return
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[1]
        if name not in seen and name in schemas:
            seen.add(name)
            _collect_refs(schemas[name], schemas, seen)
    for value in schema.values():
        if isinstance(value, dict | list):
            _collect_refs(value, schemas, seen)
