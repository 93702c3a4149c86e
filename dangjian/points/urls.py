from django.urls import path

from dangjian.core.workflow_views import move_path

from . import rule_views, views
from .workflows import ENTRY_FLOW

urlpatterns = [
    path("my/points/", views.my_points, name="my_points"),
    path("orgs/<int:pk>/points/", views.org_points, name="org_points"),
    path("orgs/<int:pk>/points.xlsx", views.org_points_xlsx, name="org_points_xlsx"),
    path("orgs/<int:pk>/points/accrue/", views.org_points_accrue, name="org_points_accrue"),
    path("orgs/<int:pk>/point-rules/", rule_views.org_point_rules, name="org_point_rules"),
    path("point-rules/<int:pk>/", rule_views.point_rule_edit, name="point_rule_edit"),
    move_path("point-entries/<int:pk>/approve/", ENTRY_FLOW, "approve", "point_entry_approve"),
    move_path("point-entries/<int:pk>/reject/", ENTRY_FLOW, "reject", "point_entry_reject"),
]
