from django.urls import path

from . import services, views

urlpatterns = [
    path("orgs/<int:pk>/weak/", views.org_weak, name="org_weak"),
    path("orgs/<int:pk>/weak/screen/", views.org_screen, name="org_weak_screen"),
    path("weak/<int:pk>/", views.listing_detail, name="weak_listing"),
    path("weak/<int:pk>/progress/", views.listing_progress, name="weak_listing_progress"),
    path("weak/<int:pk>/evidence/<int:evidence_pk>/", views.evidence_file, name="weak_evidence_file"),
    path(
        "weak/<int:pk>/evidence/<int:evidence_pk>/remove/", views.evidence_remove, name="weak_evidence_remove"
    ),
    path("weak/<int:pk>/progress/<int:progress_pk>/", views.progress_edit, name="weak_progress_edit"),
    path(
        "weak/<int:pk>/progress/<int:progress_pk>/delete/", views.progress_delete, name="weak_progress_delete"
    ),
    *(
        path(
            f"weak/<int:pk>/{name.replace('_', '-')}/",
            views.listing_move,
            {"name": name},
            name=f"weak_{name}",
        )
        for name in services.MOVES
    ),
]
