"""The one application error and the one API error shape.

Every 4xx answer of the API is ``{"code": ..., "message": ..., "fields": {...}}``.
Services raise ``ServiceError`` (or a subclass) for domain refusals; DRF and
Django errors are mapped to the same shape by ``api_exception_handler``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ServiceError(Exception):
    """A refusal by a service: a code for machines, a message for people."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.fields = fields or {}


class ValidationFailed(ServiceError):
    default_code = "validation_error"


class Conflict(ServiceError):
    """The object is not in a state that allows this (HTTP 409)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class NotFound(ServiceError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


class Forbidden(ServiceError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "forbidden"


def _field_errors(detail) -> dict:
    """Flatten DRF's nested error detail into {field: [messages]}."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _field_errors(value).items():
                    out[f"{key}.{sub}"] = msgs
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for index, item in enumerate(value):
                    for sub, msgs in _field_errors(item).items():
                        out[f"{key}[{index}].{sub}"] = msgs
            else:
                out[key] = [str(v) for v in (value if isinstance(value, list) else [value])]
        return out
    return {}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def api_exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {}
        message = "; ".join(str(m) for m in exc.messages)
        return Response(error_body("validation_error", message, fields), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _field_errors(exc.detail)
        if isinstance(exc.detail, list):
            fields = {"non_field_errors": [str(m) for m in exc.detail]}
        first = next(iter(fields.values()), ["Invalid input."])[0]
        response.data = error_body("validation_error", str(first), fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if isinstance(code, (list, dict)):
            code = "error"
        response.data = error_body(str(code), str(detail))
    return response
