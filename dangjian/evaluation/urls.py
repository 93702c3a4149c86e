from django.urls import path

from . import action_views, member_views, views

urlpatterns = [
    path("my/evaluation/", member_views.my_evaluation, name="my_evaluation"),
    path("orgs/<int:pk>/evaluation/", views.org_evaluation, name="org_evaluation"),
    path("evaluation/<int:pk>/open/", action_views.campaign_step, {"step": "open"}, name="evaluation_open"),
    path(
        "evaluation/<int:pk>/close-rating/",
        action_views.campaign_step,
        {"step": "close_rating"},
        name="evaluation_close_rating",
    ),
    path(
        "evaluation/<int:pk>/propose/",
        action_views.campaign_step,
        {"step": "propose"},
        name="evaluation_propose",
    ),
    path(
        "evaluation/<int:pk>/approve/",
        action_views.campaign_step,
        {"step": "approve"},
        name="evaluation_approve",
    ),
    path(
        "evaluation/<int:pk>/return/",
        action_views.campaign_step,
        {"step": "return"},
        name="evaluation_return",
    ),
    path("evaluation/<int:pk>/dates/", action_views.campaign_dates, name="evaluation_dates"),
    path("evaluation/<int:pk>/grades/", action_views.campaign_grades, name="evaluation_grades"),
    path("evaluation/<int:pk>/handlings/", action_views.handling_create, name="evaluation_handling_create"),
    path(
        "evaluation-handlings/<int:pk>/follow-up/",
        action_views.handling_follow_up,
        name="evaluation_handling_follow_up",
    ),
    path(
        "evaluation-handlings/<int:pk>/close/", action_views.handling_close, name="evaluation_handling_close"
    ),
]
