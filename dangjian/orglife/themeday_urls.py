from django.urls import path

from . import themeday_views

urlpatterns = [
    path("orgs/<int:pk>/theme-day/", themeday_views.theme_day, name="theme_day"),
]
