from django.urls import path

from dangjian.core.workflow_views import move_path

from . import services, views
from .workflows import VILLAGE_FLOW

# Filing writes the village committee's new term too, through its service.
SERVICES = {"file": services.file_election}

urlpatterns = [
    path("orgs/<int:pk>/village-elections/", views.org_village_elections, name="org_village_elections"),
    path("village-elections/<int:pk>/", views.village_election, name="village_election"),
    *(
        move_path(
            f"village-elections/<int:pk>/{t.name.replace('_', '-')}/",
            VILLAGE_FLOW,
            t.name,
            f"village_election_{t.name}",
            SERVICES.get(t.name),
        )
        for t in VILLAGE_FLOW.transitions
    ),
]
