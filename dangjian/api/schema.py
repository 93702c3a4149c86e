"""OpenAPI post-processing: every operation documents the error answers it can give.

Views declare their success responses; the errors come from the shared machinery (validation,
authentication, scoping, stale versions) and have one shape everywhere, so they are added here
instead of in 150 `extend_schema` calls. Clients and the property test
(`api/tests/test_api_properties.py`) read the schema as the contract: an undocumented status is
a failure there.
"""

from typing import Any

ERROR = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "`detail` (and `code`, e.g. `stale` on a 409) for a refusal; for invalid input, one entry "
        "per field naming its errors (`non_field_errors` for the whole body)."
    ),
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "additionalProperties": {"anyOf": [{"type": "array"}, {"type": "object"}]},
}
ERRORS = {
    "400": "invalid input, or a refused step",
    "401": "no or an unusable bearer token or session",
    "403": "signed in, but the role does not allow this",
    "404": "no such object within the user's reach (objects outside it answer 404 as well)",
    "409": "the edit was based on an older version",
}
METHODS = ("get", "put", "post", "patch", "delete")


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR}"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                declared = responses.get(status, {}).get("description")
                content = {"application/json": {"schema": reference}}
                # Replaces a view's own 400 too: field errors are possible wherever input is read.
                if status == "400" or status not in responses:
                    responses[status] = {"description": declared or description, "content": content}
    return result
