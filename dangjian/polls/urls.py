from django.urls import path

from . import views

urlpatterns = [
    path("orgs/<int:pk>/polls/", views.org_polls, name="org_polls"),
    path("orgs/<int:pk>/polls/new/", views.poll_create, name="poll_create"),
    path("polls/<int:pk>/", views.poll_detail, name="poll_detail"),
    path("polls/<int:pk>/edit/", views.poll_edit, name="poll_edit"),
    path("polls/<int:pk>/vote/", views.poll_vote, name="poll_vote"),
    path("polls/<int:pk>/results/", views.poll_results, name="poll_results"),
    path("polls/<int:pk>/open/", views.poll_open, name="poll_open"),
    path("polls/<int:pk>/close/", views.poll_close, name="poll_close"),
    path("polls/<int:pk>/cancel/", views.poll_cancel, name="poll_cancel"),
]
