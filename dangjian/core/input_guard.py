"""Refuses a NUL character anywhere in a request's path, query string or form fields.

PostgreSQL cannot store or even compare text containing NUL (0x00): a query with one fails with
a DataError, which surfaced as a 500 on every search box and filter that passes its input to
the database (`/orgs/?q=%00`). No legitimate input contains NUL, so it is refused here, once,
with a 400 in the user's language, before any view or filter sees it. JSON bodies need no check:
every string in them goes through a DRF `CharField`, which refuses NUL itself.
"""

from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(pairs: Iterable[tuple[str, list[str]]]) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in pairs)


def carries_nul(request: HttpRequest) -> bool:
    if NUL in request.path or _has_nul(request.GET.lists()):
        return True
    # Only bodies Django parses into request.POST (the CSRF check reads them anyway).
    if request.method == "POST" and request.content_type in FORM_TYPES:
        return _has_nul(request.POST.lists())
    return False


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not carries_nul(request):
            return self.get_response(request)
        message = _("The request contains a NUL character, which no field accepts. Remove it and try again.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        page = format_html("<!doctype html><meta charset=utf-8><title>400</title><p>{}</p>", message)
        return HttpResponse(page, status=400)
