"""Send the reminders that are due before sessions: `manage.py send_reminders`.

Run it every few minutes, e.g. from cron or a systemd timer (`*/10 * * * *`), or queue the task
`lms_forms.services.reminders.send_due_reminders` on that schedule. Several runs at once are safe:
each reminder goes out once.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from lms_forms.services.reminders import send_reminders


class Command(BaseCommand):
    help = "Send the reminders due before sessions, each once."

    def handle(self, *args, **options):
        result = send_reminders()
        self.stdout.write(
            ngettext("Sent %(count)d reminder.", "Sent %(count)d reminders.", result["sent"])
            % {"count": result["sent"]}
        )
        if result["failed"]:
            self.stderr.write(
                ngettext(
                    "%(count)d reminder could not be sent; the next run tries again.",
                    "%(count)d reminders could not be sent; the next run tries again.",
                    result["failed"],
                )
                % {"count": result["failed"]}
            )
