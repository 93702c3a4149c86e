from django.urls import path

from . import views

urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("orgs/<int:pk>/member-count/", views.member_count, name="org_member_count"),
    path("members/search/", views.member_search, name="member_search"),
    path("members/add/", views.member_create, name="member_create"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/reveal/<str:field>/", views.member_reveal, name="member_reveal"),
]
