"""Invite participants to evaluate once their group's session is over: `manage.py
send_evaluation_invitations`.

Run it every hour or so, e.g. from cron beside `send_reminders`, or queue the task
`lms_forms.services.evaluations.send_due_evaluation_invitations` on that schedule. Several runs at once
are safe: each invitation goes out once.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from lms_forms.services.evaluations import send_evaluation_invitations


class Command(BaseCommand):
    help = "Send the invitations to evaluate that are due, each once."

    def handle(self, *args, **options):
        result = send_evaluation_invitations()
        self.stdout.write(
            ngettext(
                "Sent %(count)d invitation to evaluate.",
                "Sent %(count)d invitations to evaluate.",
                result["sent"],
            )
            % {"count": result["sent"]}
        )
        if result["failed"]:
            self.stderr.write(
                ngettext(
                    "%(count)d invitation could not be sent; the next run tries again.",
                    "%(count)d invitations could not be sent; the next run tries again.",
                    result["failed"],
                )
                % {"count": result["failed"]}
            )
