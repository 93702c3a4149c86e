"""The member-card API under /api/v1/ (included from dangjian/api/urls.py)."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .api import CardViewSet, VerifyView

# Trailing slash optional, as for the rest of the API (a redirect would turn a POST into a GET).
router = SimpleRouter()
router.trailing_slash = "/?"
router.register("cards", CardViewSet, basename="card")

urlpatterns = [
    # Public: no authentication, no session (and so no CSRF), nothing personal in the answer.
    re_path(r"^verify/(?P<token>[^/]+)/?$", VerifyView.as_view(), name="api-verify"),
    *router.urls,
]
