from django.urls import path

from dangjian.core.workflow_views import move_path

from . import services, views
from .village import urls as village_urls
from .workflows import TERM_FLOW

# Every move is one button posting to the one move view; confirming writes the new term and
# committee too, through its service.
SERVICES = {"confirm": services.confirm}

urlpatterns = [
    path("orgs/<int:pk>/term-changes/", views.org_term_changes, name="org_term_changes"),
    path("term-changes/<int:pk>/", views.term_change, name="term_change"),
    *(
        move_path(
            f"term-changes/<int:pk>/{t.name.replace('_', '-')}/",
            TERM_FLOW,
            t.name,
            f"term_change_{t.name}",
            SERVICES.get(t.name),
        )
        for t in TERM_FLOW.transitions
    ),
    *village_urls.urlpatterns,
]
