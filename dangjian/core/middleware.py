from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import client_ip


class AuditContextMiddleware:
    """Makes the client's address available to the audit log for this request.

    REMOTE_ADDR is used as is: behind a reverse proxy, configure the proxy to set it (gunicorn's
    --forwarded-allow-ips), never trust a client-supplied X-Forwarded-For here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(request.META.get("REMOTE_ADDR"))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
