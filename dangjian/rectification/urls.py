from django.urls import path

from dangjian.core.workflow_views import move_path

from . import views
from .workflows import PROBLEM_FLOW

urlpatterns = [
    path("orgs/<int:pk>/problems/", views.org_problems, name="org_problems"),
    path("problems/<int:pk>/", views.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/evidence/", views.problem_evidence, name="problem_evidence"),
    path("problems/<int:pk>/evidence/<int:evidence_pk>/", views.evidence_file, name="problem_evidence_file"),
    path(
        "problems/<int:pk>/evidence/<int:evidence_pk>/remove/",
        views.evidence_remove,
        name="problem_evidence_remove",
    ),
    path("problems/<int:pk>/delete/", views.problem_delete, name="problem_delete"),
    path("my/problems/", views.my_problems, name="my_problems"),
    path("meetings/<int:pk>/problems/", views.meeting_problems, name="meeting_problems"),
    path("orgs/<int:pk>/five-standards/problems/", views.from_assessment, name="problems_from_assessment"),
    path("evaluation/<int:pk>/problems/", views.from_evaluation, name="problem_from_evaluation"),
    path("campaign-cases/<int:pk>/problem/", views.from_case, name="problem_from_case"),
    *(
        move_path(f"problems/<int:pk>/{t.name}/", PROBLEM_FLOW, t.name, f"problem_{t.name}")
        for t in PROBLEM_FLOW.transitions
    ),
]
