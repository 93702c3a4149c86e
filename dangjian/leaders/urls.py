from django.urls import path

from . import leader_views, views

urlpatterns = [
    path("orgs/<int:pk>/leaders/", views.org_leaders, name="org_leaders"),
    path("leaders/<int:pk>/", leader_views.leader_detail, name="leader_detail"),
    path("leaders/<int:pk>/edit/", views.leader_edit, name="leader_edit"),
    path("leaders/<int:pk>/end/", views.leader_end, name="leader_end"),
    path("leaders/<int:pk>/plan/", leader_views.plan_edit, name="leader_plan"),
    path("leader-works/<int:pk>/file/", leader_views.work_file, name="leader_work_file"),
    path("leader-works/<int:pk>/remove/", leader_views.work_remove, name="leader_work_remove"),
    path("my/leader/", leader_views.my_leader, name="my_leader"),
]
