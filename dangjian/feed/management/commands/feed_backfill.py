"""`dangjian feed_backfill`: feed items for records that existed before the feed, or that were
written without a save signal (bulk imports). Idempotent: run it again and nothing doubles."""

from typing import Any

from django.core.management.base import BaseCommand

from dangjian.feed import services


class Command(BaseCommand):
    help = "Create the branch activity feed's items for existing records (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for label, count in services.backfill().items():
            self.stdout.write(f"{label}: {count}")
