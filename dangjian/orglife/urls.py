from django.urls import path

from . import views

urlpatterns = [
    path("orgs/<int:pk>/meetings/", views.org_meetings, name="org_meetings"),
    path("orgs/<int:pk>/meetings/add/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/guest/", views.meeting_guest, name="meeting_guest"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="meeting_close"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/attachments/", views.meeting_attachment_add, name="meeting_attachment_add"),
    path("meetings/<int:pk>/revise/", views.meeting_revise, name="meeting_revise"),
    path("meeting-attachments/<int:pk>/", views.attachment_file, name="attachment_file"),
    path("meeting-attachments/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
]
