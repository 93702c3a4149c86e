from django.urls import path

from . import views

app_name = "villagework"

urlpatterns = [
    path("orgs/<int:pk>/first-secretaries/", views.overview, name="overview"),
    path("orgs/<int:pk>/village-work/", views.village, name="village"),
    path("orgs/<int:pk>/village-training/", views.trainings, name="trainings"),
    path("village-assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("village-assignments/<int:pk>/log/", views.assignment_log, name="assignment_log"),
    path("village-assignments/<int:pk>/assess/", views.assignment_assess, name="assignment_assess"),
    path("village-assignments/<int:pk>/hand-over/", views.assignment_hand_over, name="assignment_hand_over"),
    path("village-assignments/<int:pk>/photos/<int:photo_pk>/", views.photo_file, name="photo"),
    path("village-training/<int:pk>/", views.training_detail, name="training"),
]
