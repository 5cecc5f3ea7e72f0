"""Delete the personal data of registrations past their retention period: `manage.py purge_participant_data`.

`--dry-run` says what would be deleted and changes nothing; `--schedule` queues the daily task that does
the same every night (on a task backend that can run tasks later, such as production's database queue).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lms_forms.services.retention import purge_personal_data, schedule_purge
from lms_pages.models import OfferingPage


class Command(BaseCommand):
    help = (
        "Delete names, contact details and answers of registrations whose offering's retention period "
        "has run out; the rows stay, without personal data, so counts stay right."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; change nothing."
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Also queue the daily task that does this every night (run it once per installation).",
        )

    def handle(self, *args, dry_run=False, schedule=False, **options):
        counts = purge_personal_data(dry_run=dry_run)
        titles = dict(OfferingPage.objects.filter(pk__in=list(counts)).values_list("pk", "title"))
        for offering_id, rows in sorted(counts.items(), key=lambda item: titles.get(item[0], "")):
            self.stdout.write(f"  {titles.get(offering_id, offering_id)}: {rows}")
        total = sum(counts.values())
        if dry_run:
            message = ngettext(
                "Would delete the personal data of %(rows)d registration (nothing was changed).",
                "Would delete the personal data of %(rows)d registrations (nothing was changed).",
                total,
            )
        else:
            message = ngettext(
                "Deleted the personal data of %(rows)d registration.",
                "Deleted the personal data of %(rows)d registrations.",
                total,
            )
        self.stdout.write(message % {"rows": total})
        if schedule:
            run_after = schedule_purge()
            if run_after is None:
                raise CommandError(
                    _(
                        "The task backend cannot run tasks later, so the daily purge cannot be queued; "
                        "run this command daily (e.g. from cron) instead."
                    )
                )
            self.stdout.write(
                _("The daily purge is queued; its next run: %(time)s.")
                % {"time": date_format(timezone.localtime(run_after), "j. F Y, H.i")}
            )
