from django.urls import path

from . import member_views

urlpatterns = [
    path("my/meetings/", member_views.my_meetings, name="my_meetings"),
    path("my/meetings/<int:pk>/leave/", member_views.my_meeting_leave, name="my_meeting_leave"),
]
