"""The transfers API under /api/v1/ (included from dangjian/api/urls.py)."""

from rest_framework.routers import SimpleRouter

from .api.status import FloatingViewSet, LostContactViewSet, ProbationDecisionViewSet
from .api.transfers import TransferViewSet

# Trailing slash optional, as for the rest of the API (a redirect would turn a POST into a GET).
router = SimpleRouter()
router.trailing_slash = "/?"
router.register("transfers", TransferViewSet, basename="transfer")
router.register("floating", FloatingViewSet, basename="floating")
router.register("lost-contact", LostContactViewSet, basename="lost-contact")
router.register("probation-decisions", ProbationDecisionViewSet, basename="probation-decision")

urlpatterns = router.urls
