from django.urls import path

from . import views

urlpatterns = [
    path("orgs/<int:pk>/study/", views.study_plan, name="study_plan"),
    path("my/study/", views.my_study, name="my_study"),
    path("study-items/<int:pk>/link/", views.link_meeting, name="study_link_meeting"),
]
