"""API errors as JSON with field names; service-layer errors mapped like the UI maps them."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import bad_request, page_not_found, permission_denied, server_error
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


# Errors Django answers itself (outside DRF's views): JSON under /api/ like every other API answer,
# the styled pages of templates/{400,403,404,500}.html elsewhere.


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for a URL no route matches (`/api/v1/meetings/-1/`)."""
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)


def bad_request_page(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return bad_request(request, exception)


def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("You do not have permission to perform this action.")}, status=403)
    return permission_denied(request, exception)


def server_error_page(request: HttpRequest) -> HttpResponse:
    """Renders without the database or the user: either may be what failed."""
    if _is_api(request):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return server_error(request)
