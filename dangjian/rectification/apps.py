from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "dangjian.rectification"
    label = "rectification"
    verbose_name = "rectification"

    def ready(self) -> None:
        # The evaluation page's rectification column (point 15) reads each member's problems.
        from dangjian.evaluation.queries import RECTIFICATION_STATUS_PROVIDERS

        from .queries import member_statuses

        if member_statuses not in RECTIFICATION_STATUS_PROVIDERS:
            RECTIFICATION_STATUS_PROVIDERS.append(member_statuses)
