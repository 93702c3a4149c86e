"""API errors as JSON with field names; service-layer errors mapped like the UI maps them."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from dangjian.core.exceptions import OutOfScope


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, OutOfScope):
        exc = Http404()
    elif isinstance(exc, DjangoValidationError):
        if getattr(exc, "code", None) == "stale":
            # The edit was based on an older version: a conflict, not bad input.
            return Response({"detail": exc.messages[0], "code": "stale"}, status=status.HTTP_409_CONFLICT)
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_handler(exc, context)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for a URL no route matches (`/api/v1/meetings/-1/`): JSON under /api/ like every
    other API answer, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)
