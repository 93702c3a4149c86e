from django.urls import path

from . import month_views

urlpatterns = [
    path("orgs/<int:pk>/calendar/", month_views.org_month, name="org_month"),
    path("my/calendar/", month_views.my_month, name="my_month"),
    path("orgs/<int:pk>/calendar/week/", month_views.org_week, name="org_week"),
    path("my/calendar/week/", month_views.my_week, name="my_week"),
]
