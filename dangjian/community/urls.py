from django.urls import path

from . import services, views

app_name = "community"

urlpatterns = [
    path("orgs/<int:pk>/community/", views.org_page, name="org"),
    path("orgs/<int:pk>/community/posts/", views.post_create, name="post_create"),
    path("orgs/<int:pk>/community/commitments/", views.commitment_create, name="commitment_create"),
    path("orgs/<int:pk>/community/publish/", views.commitment_publish, name="publish"),
    path("orgs/<int:pk>/community/pairings/", views.pairing_create, name="pairing_create"),
    path("community/posts/<int:pk>/assign/", views.post_assign, name="post_assign"),
    path("community/posts/<int:pk>/unassign/", views.post_unassign, name="post_unassign"),
    path("community/commitments/<int:pk>/edit/", views.commitment_edit, name="commitment_edit"),
    path("community/commitments/<int:pk>/assess/", views.commitment_assess, name="commitment_assess"),
    path("community/registrations/<int:pk>/", views.registration_detail, name="registration"),
    path("community/registrations/<int:pk>/tasks/", views.task_create, name="task_create"),
    *(
        path(
            f"community/registrations/<int:pk>/{name}/",
            views.registration_move,
            {"name": name},
            name=f"registration_{name}",
        )
        for name in services.REGISTRATION_MOVES
    ),
    path("community/tasks/<int:pk>/report/", views.task_report, name="task_report"),
    *(
        path(
            f"community/tasks/<int:pk>/{name.replace('_', '-')}/",
            views.task_move,
            {"name": name},
            name=f"task_{name}",
        )
        for name in services.TASK_MOVES
    ),
    path("community/pairings/<int:pk>/", views.pairing_detail, name="pairing"),
    path("community/pairings/<int:pk>/visit/", views.pairing_visit, name="pairing_visit"),
    path("community/pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("my/community/", views.my_page, name="mine"),
    path("my/community/commitments/", views.my_commitment, name="my_commitment"),
    path("my/community/register/", views.my_register, name="my_register"),
]
