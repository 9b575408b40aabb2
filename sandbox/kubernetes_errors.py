"""Answers that are not successes, in the API's `Status` shape and wording.

Clients branch on `code` and `reason` and people read `message`, so both follow what a real
API server says for the same mistake. Only shapes live here; deciding when to fail does not.
"""

from __future__ import annotations

import json
from typing import Any

from .kubernetes_resources import ResourceKind

#: (field path, offending value, what is wrong), as the API's field errors carry them.
FieldError = tuple[str, Any, str]


class ApiError(Exception):
    """An answer that is not a success; `status()` is the body the API sends for it."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        details: dict[str, Any] | None = None,
        list_meta: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        #: A Status may carry list metadata: an expired continue token's replacement does.
        self.list_meta = list_meta

    def status(self) -> dict[str, Any]:
        body = status_failure(self.code, self.reason, self.message, self.details)
        if self.list_meta:
            body["metadata"] = dict(self.list_meta)
        return body


def status_failure(
    code: int, reason: str, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details is not None:
        body["details"] = details
    return body


def status_success(res: ResourceKind, name: str, uid: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {"name": name, "group": res.group, "kind": res.plural, "uid": uid},
    }


def _details(res: ResourceKind, name: str | None) -> dict[str, Any]:
    details: dict[str, Any] = {"kind": res.plural}
    if name:
        details["name"] = name
    if res.group:
        details["group"] = res.group
    return details


def not_found(res: ResourceKind, name: str) -> ApiError:
    message = f'{res.qualified} "{name}" not found'
    return ApiError(404, "NotFound", message, _details(res, name))


def already_exists(res: ResourceKind, name: str) -> ApiError:
    message = f'{res.qualified} "{name}" already exists'
    return ApiError(409, "AlreadyExists", message, _details(res, name))


def conflict(res: ResourceKind, name: str) -> ApiError:
    message = (
        f'Operation cannot be fulfilled on {res.qualified} "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again"
    )
    return ApiError(409, "Conflict", message, _details(res, name))


def _cause(field: str, value: Any, detail: str) -> tuple[str, str]:
    """(reason, text) of one field error, in the wording of the API's field.Error types."""
    if detail == "Required value":
        return "FieldValueRequired", f"{field}: Required value"
    if detail.startswith("Forbidden: "):
        return "FieldValueForbidden", f"{field}: {detail}"
    if detail.startswith("Unsupported value: "):
        supported = detail.removeprefix("Unsupported value: ")
        return (
            "FieldValueNotSupported",
            f"{field}: Unsupported value: {json.dumps(value)}: {supported}",
        )
    text = f"{field}: Invalid value: {value!r}: {detail}"
    return "FieldValueInvalid", text.replace("'", '"')


def invalid(res: ResourceKind, name: str, causes: list[FieldError]) -> ApiError:
    """422 for (field, value, what is wrong) causes, worded like the API's field errors."""
    found = [_cause(field, value, detail) for field, value, detail in causes]
    texts = [text for _reason, text in found]
    if len(texts) == 1:
        message = f'{res.kind}.{res.group or "core"} "{name}" is invalid: {texts[0]}'
    else:
        message = f'{res.kind}.{res.group or "core"} "{name}" is invalid: [{", ".join(texts)}]'
    if not res.group:
        message = message.replace(".core", "", 1)
    details = _details(res, name)
    details["kind"] = res.kind
    details["causes"] = [
        {"reason": reason, "message": text.split(": ", 1)[1], "field": field}
        for (field, _value, _detail), (reason, text) in zip(causes, found, strict=True)
    ]
    return ApiError(422, "Invalid", message, details)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def unsupported_media(message: str) -> ApiError:
    return ApiError(415, "UnsupportedMediaType", message)


def method_not_supported(res: ResourceKind, verb: str) -> ApiError:
    """What the API answers for a verb the resource does not serve (its discovery omits it)."""
    message = f'{verb} is not supported on resources of kind "{res.qualified}"'
    return ApiError(405, "MethodNotAllowed", message, _details(res, None))


def terminating(res: ResourceKind, name: str, namespace: str) -> ApiError:
    """The namespace lifecycle admission's answer for writes into a namespace being deleted."""
    message = (
        f'{res.qualified} "{name}" is forbidden: unable to create new content in namespace '
        f"{namespace} because it is being terminated"
    )
    return ApiError(403, "Forbidden", message, _details(res, name))


def forbidden(
    res: ResourceKind | None,
    *,
    verb: str,
    user: str,
    resource: str,
    group: str,
    namespace: str | None,
    name: str | None,
) -> dict[str, Any]:
    """The body RBAC answers with, e.g. for a patch the user's role does not allow."""
    subject = res.qualified if res else resource
    subject = f'{subject} "{name}"' if name else subject
    where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
    message = (
        f'{subject} is forbidden: User "{user}" cannot {verb} resource "{resource}" '
        f'in API group "{group}"{where}'
    )
    details = _details(res, name) if res else {"kind": resource}
    return status_failure(403, "Forbidden", message, details)


#: Reasons of the API's Status for the codes a fault may inject.
STATUS_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "Expired",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}
