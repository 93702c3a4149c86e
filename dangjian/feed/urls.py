from django.urls import path

from . import views

app_name = "feed"
urlpatterns = [
    path("orgs/<int:pk>/feed/", views.org_feed, name="org_feed"),
    path("feed/<int:pk>/album/", views.album, name="album"),
    path("feed-photos/<int:pk>/", views.photo, name="photo"),
    path("feed-photos/<int:pk>/thumb/", views.thumbnail, name="thumbnail"),
    path("feed-photos/<int:pk>/remove/", views.remove_photo, name="remove_photo"),
]
