from django.urls import path

from . import views

app_name = "discussion"
urlpatterns = [
    path("my/branch/threads/", views.my_threads, name="my_threads"),
    path("orgs/<int:pk>/threads/", views.org_threads, name="org_threads"),
    path("orgs/<int:pk>/threads/new/", views.new_thread, name="new_thread"),
    path("orgs/<int:pk>/threads/moderation/", views.moderation, name="moderation"),
    path("orgs/<int:pk>/discussion-words/", views.words, name="words"),
    path("threads/<int:pk>/", views.thread_detail, name="thread"),
    path("threads/<int:pk>/reply/", views.reply, name="reply"),
    path("threads/<int:pk>/moderate/", views.moderate_thread, name="moderate_thread"),
    path("posts/<int:pk>/moderate/", views.moderate_post, name="moderate_post"),
    path("posts/<int:pk>/report/", views.report, name="report"),
    path("post-images/<int:pk>/", views.image, name="image"),
    path("post-images/<int:pk>/thumb/", views.thumbnail, name="thumbnail"),
    path("post-reports/<int:pk>/resolve/", views.resolve, name="resolve"),
]
