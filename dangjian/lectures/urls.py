from django.urls import path

from dangjian.core.workflow_views import move_path

from . import views
from .workflows import DISPATCH_FLOW

urlpatterns = [
    path("orgs/<int:pk>/lecturers/", views.lecturers, name="lecturers"),
    path("orgs/<int:pk>/lecturers/dispatch/", views.dispatch_create, name="lecture_dispatch"),
    path("dispatches/<int:pk>/confirm/", views.dispatch_confirm, name="lecture_dispatch_confirm"),
    move_path("dispatches/<int:pk>/cancel/", DISPATCH_FLOW, "cancel", "lecture_dispatch_cancel"),
]
