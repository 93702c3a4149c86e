from django.urls import path

from . import views

urlpatterns = [
    path("orgs/", views.org_tree, name="org_tree"),
    path("orgs/<int:pk>/", views.org_detail, name="org_detail"),
    path("orgs/<int:pk>/children/", views.org_children, name="org_children"),
    path("orgs/<int:pk>/add/", views.org_create, name="org_create"),
    path("orgs/<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("orgs/<int:pk>/move/", views.org_move, name="org_move"),
    path("orgs/<int:pk>/groups/add/", views.group_create, name="group_create"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
]
