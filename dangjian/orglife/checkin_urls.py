from django.urls import path

from . import checkin_views

urlpatterns = [
    path("meetings/<int:pk>/qr/", checkin_views.meeting_qr, name="meeting_qr"),
    path("checkin/<int:pk>/", checkin_views.meeting_checkin, name="meeting_checkin_manual"),
    path("checkin/<int:pk>/<str:code>/", checkin_views.meeting_checkin, name="meeting_checkin"),
]
