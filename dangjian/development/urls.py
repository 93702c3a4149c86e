from django.urls import path

from . import mine, paper_views, plan_views, views

urlpatterns = [
    path("orgs/<int:pk>/development/", views.board, name="org_development"),
    path("orgs/<int:pk>/development/new/", views.register, name="development_register"),
    path("orgs/<int:pk>/development/plan/", plan_views.plan, name="org_development_plan"),
    path("orgs/<int:pk>/development/plan/edit/", plan_views.plan_edit, name="org_development_plan_edit"),
    path("orgs/<int:pk>/development/waiting/", plan_views.waiting, name="org_development_waiting"),
    path("development/<int:pk>/", views.person, name="development_person"),
    path("development/<int:pk>/steps/<int:number>/", views.step, name="development_step"),
    path("development/<int:pk>/end/", views.end, name="development_end"),
    path("development/<int:pk>/objections/", views.objection, name="development_objection"),
    path(
        "development/<int:pk>/objections/<int:objection_pk>/answer/",
        views.answer,
        name="development_answer",
    ),
    path("development/<int:pk>/files/<int:file_pk>/", views.document, name="development_file"),
    path("development/<int:pk>/file.pdf", paper_views.person_file, name="development_file_pdf"),
    path("development/<int:pk>/papers/<str:paper>.pdf", paper_views.paper, name="development_paper"),
    path("development/<int:pk>/account/", mine.issue_account, name="development_account"),
    path("me/development/", mine.my_development, name="my_development"),
]
