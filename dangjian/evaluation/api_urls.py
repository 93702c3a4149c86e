"""The evaluation API under /api/v1/evaluation/ (included from dangjian/api/urls.py)."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .api import CampaignViewSet, HandlingViewSet
from .api_member import EvaluationMineView, EvaluationStatusView, RatingsView, SelfAssessmentView

# Trailing slash optional, as for the rest of the API (a redirect would turn a POST into a GET).
router = SimpleRouter()
router.trailing_slash = "/?"
router.register("evaluation/campaigns", CampaignViewSet, basename="evaluation-campaign")
router.register("evaluation/handlings", HandlingViewSet, basename="evaluation-handling")

urlpatterns = [
    re_path(r"^evaluation/mine/?$", EvaluationMineView.as_view(), name="api-evaluation-mine"),
    re_path(r"^evaluation/ratings/?$", RatingsView.as_view(), name="api-evaluation-ratings"),
    re_path(r"^evaluation/self-assessment/?$", SelfAssessmentView.as_view(), name="api-evaluation-self"),
    re_path(r"^evaluation/status/?$", EvaluationStatusView.as_view(), name="api-evaluation-status"),
    *router.urls,
]
