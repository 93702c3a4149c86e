from django.urls import path

from . import views

urlpatterns = [
    path("orgs/<int:pk>/lecturers/", views.lecturers, name="lecturers"),
    path("orgs/<int:pk>/lecturers/dispatch/", views.dispatch_create, name="lecture_dispatch"),
    path("dispatches/<int:pk>/confirm/", views.dispatch_confirm, name="lecture_dispatch_confirm"),
    path("dispatches/<int:pk>/cancel/", views.dispatch_cancel, name="lecture_dispatch_cancel"),
]
