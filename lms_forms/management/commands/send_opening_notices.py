"""Tell those who asked that registration has opened, and delete what is no longer needed:
`manage.py send_opening_notices`.

Confirming a notice queues a task for the moment registration opens on a backend that can run tasks
later; on one that cannot (or when an editor moves the opening), run this command every few minutes,
e.g. from cron. It also deletes unconfirmed notices after a week. Running it while a worker does the
same is safe: each notice is sent once.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from lms_forms.services.opening_notices import send_opening_notices


class Command(BaseCommand):
    help = "Send the notices of registrations that have opened, and delete expired and unneeded ones."

    def handle(self, *args, **options):
        result = send_opening_notices()
        self.stdout.write(
            ngettext(
                "Sent %(count)d notice that registration has opened.",
                "Sent %(count)d notices that registration has opened.",
                result["sent"],
            )
            % {"count": result["sent"]}
        )
        deleted = result["expired"] + result["dropped"]
        self.stdout.write(
            ngettext(
                "Deleted %(count)d notice that was not confirmed in time or is no longer needed.",
                "Deleted %(count)d notices that were not confirmed in time or are no longer needed.",
                deleted,
            )
            % {"count": deleted}
        )
