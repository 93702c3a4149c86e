from django.urls import path

from dangjian.core.workflow_views import move_path

from . import views
from .workflows import ASSIGNMENT_FLOW, CAMPAIGN_FLOW, CASE_FLOW

urlpatterns = [
    path("orgs/<int:pk>/campaigns/", views.org_campaigns, name="org_campaigns"),
    path("orgs/<int:pk>/campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/launch/", views.campaign_launch, name="campaign_launch"),
    path("campaigns/<int:pk>/delete/", views.campaign_delete, name="campaign_delete"),
    path("campaigns/<int:pk>/files/", views.campaign_files, name="campaign_files"),
    path("campaigns/<int:pk>/files/<int:file_pk>/", views.campaign_file, name="campaign_file"),
    path(
        "campaigns/<int:pk>/files/<int:file_pk>/remove/",
        views.campaign_file_remove,
        name="campaign_file_remove",
    ),
    path("campaigns/<int:pk>/remind/", views.campaign_remind, name="campaign_remind"),
    path("campaigns/<int:pk>/export/", views.campaign_export, name="campaign_export"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/files/", views.assignment_files, name="assignment_files"),
    path("assignments/<int:pk>/files/<int:file_pk>/", views.assignment_file, name="assignment_file"),
    path(
        "assignments/<int:pk>/files/<int:file_pk>/remove/",
        views.assignment_file_remove,
        name="assignment_file_remove",
    ),
    path(
        "assignments/<int:pk>/instructions/<int:file_pk>/",
        views.instruction_file,
        name="assignment_instruction",
    ),
    path("assignments/<int:pk>/cases/", views.case_add, name="campaign_case_add"),
    path("campaign-cases/<int:pk>/conclude/", views.case_conclude, name="campaign_case_conclude"),
    *(
        move_path(f"campaigns/<int:pk>/{t.name}/", CAMPAIGN_FLOW, t.name, f"campaign_{t.name}")
        for t in CAMPAIGN_FLOW.transitions
        if t.name != "launch"
    ),
    *(
        move_path(f"assignments/<int:pk>/{t.name}/", ASSIGNMENT_FLOW, t.name, f"assignment_{t.name}")
        for t in ASSIGNMENT_FLOW.transitions
    ),
    move_path("campaign-cases/<int:pk>/reopen/", CASE_FLOW, "reopen", "campaign_case_reopen"),
]
