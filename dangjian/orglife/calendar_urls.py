from django.urls import path

from . import calendar_views

urlpatterns = [
    path("account/calendar/", calendar_views.calendar_settings, name="calendar_settings"),
    # Authenticated by the secret token in the URL, not by a session.
    path("calendar/<str:token>.ics", calendar_views.calendar_feed, name="calendar_feed"),
]
