"""End offered places not answered in time and pass them on: `manage.py expire_offers`.

Each offer queues a task for its deadline on a backend that can run tasks later; on one that cannot,
run this command every few minutes (e.g. from cron). Running it while a worker does the same is safe.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from lms_forms.services.waiting_list import expire_offers


class Command(BaseCommand):
    help = "End offers of freed places whose deadline has passed, and offer the places to the next."

    def handle(self, *args, **options):
        count = expire_offers()
        self.stdout.write(
            ngettext(
                "Ended %(count)d offer not answered in time.",
                "Ended %(count)d offers not answered in time.",
                count,
            )
            % {"count": count}
        )
