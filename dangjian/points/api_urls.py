"""The points API under /api/v1/points/ (included from dangjian/api/urls.py)."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .api import PointEntryViewSet, PointRuleViewSet
from .api_reads import PointsAccrueView, PointsMineView, PointsTableView

# Trailing slash optional, as for the rest of the API (a redirect would turn a POST into a GET).
router = SimpleRouter()
router.trailing_slash = "/?"
router.register("points/rules", PointRuleViewSet, basename="point-rule")
router.register("points/entries", PointEntryViewSet, basename="point-entry")

urlpatterns = [
    re_path(r"^points/mine/?$", PointsMineView.as_view(), name="api-points-mine"),
    re_path(r"^points/table/?$", PointsTableView.as_view(), name="api-points-table"),
    re_path(r"^points/accrue/?$", PointsAccrueView.as_view(), name="api-points-accrue"),
    *router.urls,
]
