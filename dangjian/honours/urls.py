from django.urls import path

from dangjian.core.workflow_views import move_path

from . import views
from .workflows import CALL_FLOW, NOMINATION_FLOW

urlpatterns = [
    path("orgs/<int:pk>/honour-calls/", views.org_calls, name="org_honour_calls"),
    path("orgs/<int:pk>/honour-calls/object/", views.object_to, name="honour_object"),
    path("orgs/<int:pk>/nominate/", views.nominate, name="honour_nominate"),
    path("orgs/<int:pk>/honours/", views.org_honours, name="org_honours"),
    # Public: the published honours of a committee, as a public notice (no login).
    path("public/honours/<int:org_pk>/", views.public_honours, name="public_honours"),
    path("honour-calls/<int:pk>/", views.call_detail, name="honour_call_detail"),
    path("honour-calls/<int:pk>/edit/", views.call_edit, name="honour_call_edit"),
    path("honour-calls/<int:pk>/objections/<int:objection_pk>/answer/", views.answer, name="honour_answer"),
    *(
        path(
            f"honour-calls/<int:pk>/{t.name}/",
            views.call_move,
            {"name": t.name},
            name=f"honour_call_{t.name}",
        )
        for t in CALL_FLOW.transitions
    ),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination_detail"),
    path("nominations/<int:pk>/edit/", views.nomination_edit, name="nomination_edit"),
    path("nominations/<int:pk>/evidence/", views.nomination_evidence, name="nomination_evidence"),
    path(
        "nominations/<int:pk>/evidence/<int:evidence_pk>/remove/",
        views.evidence_remove,
        name="nomination_evidence_remove",
    ),
    path(
        "nominations/<int:pk>/evidence/<int:evidence_pk>/",
        views.evidence_file,
        name="nomination_evidence_file",
    ),
    *(
        move_path(f"nominations/<int:pk>/{t.name}/", NOMINATION_FLOW, t.name, f"nomination_{t.name}")
        for t in NOMINATION_FLOW.transitions
    ),
]
