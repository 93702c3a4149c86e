from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.inbox, name="notification_inbox"),
    path("notifications/read-all/", views.mark_all_read, name="notification_read_all"),
    path("notifications/<int:pk>/read/", views.mark_read, name="notification_read"),
    path("my/notifications/", views.preferences, name="notification_preferences"),
]
